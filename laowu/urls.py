from django.urls import include, path
from django.views.i18n import set_language

from laowu.api import api

urlpatterns = [
    path("", include("laowu.core.urls")),
    path("accounts/", include("laowu.accounts.urls")),
    path("regions/", include("laowu.regions.urls")),
    path("audit/", include("laowu.audit.urls")),
    path("workers/", include("laowu.workers.urls")),
    path("employers/", include("laowu.employers.urls")),
    path("jobs/", include("laowu.jobs.urls")),
    path("placements/", include("laowu.placements.urls")),
    path("training/", include("laowu.training.urls")),
    path("imports/", include("laowu.imports.urls")),
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

handler400 = "laowu.core.views.bad_request_view"
handler403 = "laowu.core.views.permission_denied_view"
handler404 = "laowu.core.views.not_found_view"
handler500 = "laowu.core.views.server_error_view"
