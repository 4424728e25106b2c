"""Settings for development, the demo and tests. Production: ``resilience.settings.production``."""

from .base import *  # noqa: F401,F403
