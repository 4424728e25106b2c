"""The operators' Celery tasks. Beat (resilience/settings/backups.py): nightly_backup daily at BACKUP_TIME."""

import datetime

from celery import shared_task

from . import backups


@shared_task(bind=True)
def nightly_backup(self, night=None, folder=None, keep=None):
    """Back up the database and stored files for ``night`` (ISO date; default today) into ``folder`` (default
    BACKUP_DIR), verify the archive and keep the ``keep`` newest (default BACKUP_KEEP): operations.backups.run.
    Not retried: a failure is recorded and told at once, and the next night runs again. A redelivered or repeated
    task of the same night writes nothing new."""
    status = backups.run(datetime.date.fromisoformat(night) if night else None, folder=folder, keep=keep,
                         task_id=self.request.id)
    return {key: status.get(key) for key in ("night", "outcome", "archive", "size")}
