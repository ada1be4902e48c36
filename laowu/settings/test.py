"""Test runs: fast password hashing (Argon2 stays first in production and dev)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
FIELD_ENCRYPTION_KEY_FILE = DATA_DIR / "test-field.key"  # noqa: F405
