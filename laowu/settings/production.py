"""Production on a county server (docs/deploy.md): HTTPS only, secrets from the environment."""

import os

from .base import *  # noqa: F403

if not os.environ.get("LAOWU_SECRET_KEY"):
    raise RuntimeError("LAOWU_SECRET_KEY must be set in production")
DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)  # noqa: F405
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
WHITENOISE_USE_FINDERS = False
