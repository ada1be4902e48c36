from django.urls import path

from laowu.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.employer_list_view, name="employer_list"),
    path("new/", views.employer_create_view, name="employer_create"),
    path("<int:pk>/", views.employer_detail_view, name="employer_detail"),
    path("<int:pk>/edit/", views.employer_edit_view, name="employer_edit"),
    path("<int:pk>/delete/", views.employer_delete_view, name="employer_delete"),
    path("<int:pk>/blacklist/", views.employer_blacklist_view, name="employer_blacklist"),
    path("<int:pk>/unblacklist/", views.employer_unblacklist_view, name="employer_unblacklist"),
    path("<int:pk>/visit/", views.employer_visit_view, name="employer_visit"),
    path("agencies/", views.agency_list_view, name="agency_list"),
    path("agencies/new/", views.agency_create_view, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail_view, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit_view, name="agency_edit"),
    path("agencies/<int:pk>/delete/", views.agency_delete_view, name="agency_delete"),
    path("agencies/<int:pk>/blacklist/", views.agency_blacklist_view, name="agency_blacklist"),
    path("agencies/<int:pk>/unblacklist/", views.agency_unblacklist_view, name="agency_unblacklist"),
    path("agencies/<int:pk>/visit/", views.agency_visit_view, name="agency_visit"),
    path("visits/", views.visit_list_view, name="visit_list"),
    path("bases/", views.base_list_view, name="base_list"),
    path("bases/new/", views.base_create_view, name="base_create"),
    path("bases/<int:pk>/edit/", views.base_edit_view, name="base_edit"),
    path("bases/<int:pk>/delete/", views.base_delete_view, name="base_delete"),
    path("places/search/", views.place_search_view, name="place_search"),
]
