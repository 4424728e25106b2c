"""The shared shape of every import command: run the service, print errors and one summary line."""

import time

from django.core.management.base import BaseCommand, CommandError

from .common import ImportRejected


class ImportCommand(BaseCommand):
    """Subclasses define ``add_arguments`` (with a PATH) and ``run_import(path, **options)``."""

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            summary = self.run_import(**options)
        except FileNotFoundError as exc:
            raise CommandError(f"{exc.filename}: no such file or folder") from None
        except ImportRejected as exc:
            for error in exc.summary.errors:
                self.stderr.write(f"rejected {error}")
            self.stderr.write(f"Nothing was saved from {options['path']}.")
            self.stdout.write(exc.summary.line())
            raise CommandError(f"{exc.summary.rejected} rejected row(s)", returncode=2) from None
        self.stderr.write(f"Finished in {time.monotonic() - started:.1f}s")
        self.stdout.write(summary.line())
