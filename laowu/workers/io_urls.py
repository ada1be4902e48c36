"""Import and export pages of the registry (the importer's half of workers)."""

urlpatterns: list = []
