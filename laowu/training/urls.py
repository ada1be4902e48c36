from django.urls import path

from laowu.training import views

app_name = "training"
urlpatterns = [
    path("", views.class_list_view, name="class_list"),
    path("classes/new/", views.class_edit_view, name="class_create"),
    path("classes/<int:pk>/", views.class_detail_view, name="class_detail"),
    path("classes/<int:pk>/edit/", views.class_edit_view, name="class_edit"),
    path("classes/<int:pk>/enrol/", views.class_enrol_view, name="class_enrol"),
    path("classes/<int:pk>/attendance/", views.class_attendance_view, name="class_attendance"),
    path("enrolments/", views.enrolment_list_view, name="enrolment_list"),
    path("enrolments/<int:pk>/result/", views.enrolment_result_view, name="enrolment_result"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw_view, name="enrolment_withdraw"),
    path("courses/", views.course_list_view, name="course_list"),
    path("courses/new/", views.course_edit_view, name="course_create"),
    path("courses/<int:pk>/edit/", views.course_edit_view, name="course_edit"),
]
