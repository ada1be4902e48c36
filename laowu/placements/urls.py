from django.urls import path

from laowu.placements import views

app_name = "placements"
urlpatterns = [
    path("stints/", views.stint_list_view, name="stint_list"),
    path("stints/new/", views.stint_create_view, name="stint_create"),
    path("stints/<int:pk>/", views.stint_detail_view, name="stint_detail"),
    path("stints/<int:pk>/edit/", views.stint_edit_view, name="stint_edit"),
    path("stints/<int:pk>/end/", views.stint_end_view, name="stint_end"),
    path("stints/<int:pk>/wage/", views.stint_wage_view, name="stint_wage"),
    path("stints/<int:pk>/delete/", views.stint_delete_view, name="stint_delete"),
    path("stints/<int:pk>/followup/", views.stint_followup_view, name="stint_followup"),
    path("followups/", views.followup_list_view, name="followup_list"),
    path("followups/<int:pk>/close/", views.followup_close_view, name="followup_close"),
]
