"""Settings are chosen by ``LAOWU_ENV`` (dev, test, production); everything else comes from
environment variables read in ``base``."""

import os

_env = os.environ.get("LAOWU_ENV", "dev")
if _env == "production":
    from .production import *  # noqa: F403
elif _env == "test":
    from .test import *  # noqa: F403
else:
    from .dev import *  # noqa: F403
