from django.urls import path

from laowu.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list_view, name="region_list"),
    path("search/", views.region_search_view, name="region_search"),
    path("villages/import/", views.village_import_view, name="village_import"),
    path("<str:code>/", views.region_detail_view, name="region_detail"),
]
