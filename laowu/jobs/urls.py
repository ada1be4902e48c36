from django.urls import path

from laowu.jobs import views, views_matching

app_name = "jobs"
urlpatterns = [
    path("", views.joborder_list_view, name="joborder_list"),
    path("new/", views.joborder_create_view, name="joborder_create"),
    path("<int:pk>/", views.joborder_detail_view, name="joborder_detail"),
    path("<int:pk>/edit/", views.joborder_edit_view, name="joborder_edit"),
    path("<int:pk>/delete/", views.joborder_delete_view, name="joborder_delete"),
    path("<int:pk>/transition/", views.joborder_transition_view, name="joborder_transition"),
    path("<int:pk>/candidates/", views_matching.joborder_candidates_view, name="joborder_candidates"),
    path("people/<int:pk>/orders/", views_matching.person_orders_view, name="person_orders"),
    path("bulletins/", views.bulletin_list_view, name="bulletin_list"),
    path("bulletins/new/", views.bulletin_compile_view, name="bulletin_compile"),
    path("bulletins/<int:pk>/", views.bulletin_detail_view, name="bulletin_detail"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf_view, name="bulletin_pdf"),
    path("bulletins/<int:pk>/docx/", views.bulletin_docx_view, name="bulletin_docx"),
    path("bulletins/<int:pk>/m/", views.bulletin_mobile_view, name="bulletin_mobile"),
]
