"""Import and export pages of the registry (the importer's half of workers)."""

from django.urls import path

from laowu.workers import views_io

urlpatterns: list = [
    path("import/", views_io.import_upload_view, name="import_upload"),
    path("export/", views_io.ledger_export_view, name="ledger_export"),
]
