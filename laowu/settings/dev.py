"""Development and demo: a local machine, plain HTTP on 127.0.0.1."""

from .base import *  # noqa: F403

DEBUG = os.environ.get("LAOWU_DEBUG", "0") == "1"  # noqa: F405
