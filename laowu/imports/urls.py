from django.urls import path

from laowu.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list_view, name="job_list"),
    path("new/<slug:target>/", views.upload_view, name="upload"),
    path("template/<slug:target>/", views.template_view, name="template"),
    path("<int:pk>/", views.job_detail_view, name="job_detail"),
    path("<int:pk>/start/", views.job_start_view, name="job_start"),
    path("<int:pk>/issues.xlsx", views.job_issues_xlsx_view, name="job_issues_xlsx"),
]
