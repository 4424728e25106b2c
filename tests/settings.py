"""The test settings: the product's, plus the benchmark app whose scale-data generator the tests exercise."""

from resilience.settings import *  # noqa: F401,F403
from resilience.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
