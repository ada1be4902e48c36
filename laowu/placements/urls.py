from django.urls import path

from laowu.placements import views, views_process

app_name = "placements"
urlpatterns = [
    path("applications/", views_process.application_list_view, name="application_list"),
    path("applications/new/", views_process.application_create_view, name="application_create"),
    path("applications/new/bulk/", views_process.application_bulk_register_view, name="application_bulk_register"),
    path("applications/bulk/", views_process.application_bulk_view, name="application_bulk"),
    path("applications/<int:pk>/", views_process.application_detail_view, name="application_detail"),
    path("applications/<int:pk>/transition/", views_process.application_transition_view, name="application_transition"),
    path("batches/", views_process.batch_list_view, name="batch_list"),
    path("batches/new/", views_process.batch_edit_view, name="batch_create"),
    path("batches/<int:pk>/", views_process.batch_detail_view, name="batch_detail"),
    path("batches/<int:pk>/edit/", views_process.batch_edit_view, name="batch_edit"),
    path("batches/<int:pk>/action/", views_process.batch_action_view, name="batch_action"),
    path("batches/<int:pk>/cards.pdf", views_process.batch_cards_view, name="batch_cards"),
    path("applications/<int:pk>/card.pdf", views_process.application_card_view, name="application_card"),
    path("batches/<int:pk>/roster.xlsx", views_process.batch_roster_view, name="batch_roster"),
    path("portal/batches/", views_process.portal_batch_list_view, name="portal_batch_list"),
    path("portal/batches/<int:pk>/", views_process.portal_batch_detail_view, name="portal_batch_detail"),
    path("portal/batches/<int:pk>/action/", views_process.portal_batch_action_view, name="portal_batch_action"),
    path("stints/", views.stint_list_view, name="stint_list"),
    path("stints/new/", views.stint_create_view, name="stint_create"),
    path("stints/export/", views.stint_export_view, name="stint_export"),
    path("stints/<int:pk>/", views.stint_detail_view, name="stint_detail"),
    path("stints/<int:pk>/edit/", views.stint_edit_view, name="stint_edit"),
    path("stints/<int:pk>/end/", views.stint_end_view, name="stint_end"),
    path("stints/<int:pk>/wage/", views.stint_wage_view, name="stint_wage"),
    path("stints/<int:pk>/delete/", views.stint_delete_view, name="stint_delete"),
    path("stints/<int:pk>/followup/", views.stint_followup_view, name="stint_followup"),
    path("followups/", views.followup_list_view, name="followup_list"),
    path("followups/<int:pk>/close/", views.followup_close_view, name="followup_close"),
]
