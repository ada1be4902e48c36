from django.urls import path  # noqa: F401

from laowu.workers.io_urls import urlpatterns as io_urlpatterns

app_name = "workers"
# Registry pages (list, detail, edit) are added here; import/export pages live in io_urls.py.
urlpatterns: list = [*io_urlpatterns]
