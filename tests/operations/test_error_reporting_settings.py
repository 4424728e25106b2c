"""Settings of the Celery worker that tests/operations/test_error_reporting.py starts: the product's, and the
test-only task of test_error_reporting_tasks.py."""

from resilience.settings import *  # noqa: F401,F403

CELERY_IMPORTS = ["tests.operations.test_error_reporting_tasks"]
