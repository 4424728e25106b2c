"""A test-only Celery task for tests/operations/test_error_reporting.py (the worker imports it through
test_error_reporting_settings.py): it fails with personal data in its arguments, its locals and its message."""

from celery import shared_task


@shared_task(name="tests.operations.fail_with_personal_data")
def fail_with_personal_data(note, email):
    summary = f"{note} ({email})"  # a local variable holding free text
    raise ValueError(f"no account matches {email} after {len(summary)} characters")
