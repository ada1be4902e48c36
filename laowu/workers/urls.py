from django.urls import path

from laowu.workers import views
from laowu.workers.io_urls import urlpatterns as io_urlpatterns
from laowu.workers.selectors import Ledger

app_name = "workers"
# Registry pages; import/export pages live in io_urls.py (the importer's half of workers).
urlpatterns: list = [
    path("resource/", views.ledger_view, {"ledger": Ledger.RESOURCE}, name="ledger_resource"),
    path("surplus/", views.ledger_view, {"ledger": Ledger.SURPLUS}, name="ledger_surplus"),
    path("away/", views.ledger_view, {"ledger": Ledger.AWAY}, name="ledger_away"),
    path("people/new/", views.person_register_view, name="person_register"),
    path("people/<int:pk>/", views.person_detail_view, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit_view, name="person_edit"),
    path("people/<int:pk>/transfer/", views.person_transfer_view, name="person_transfer"),
    path("people/<int:pk>/unmask/", views.person_unmask_view, name="person_unmask"),
    path("households/", views.household_list_view, name="household_list"),
    path("households/new/", views.household_create_view, name="household_create"),
    path("households/<int:pk>/", views.household_detail_view, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit_view, name="household_edit"),
    path("households/<int:pk>/members/", views.household_member_add_view, name="household_member_add"),
    path("households/<int:pk>/income/", views.household_income_view, name="household_income"),
    *io_urlpatterns,
]
