from django.core.management.base import BaseCommand, CommandError

from core.backup import restore
from core.errors import DomainError


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and MEDIA_ROOT, then check it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="restore over a database that is not empty")

    def handle(self, *args, **options):
        try:
            manifest = restore(options["archive"], force=options["force"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["records"].values())
        self.stdout.write(f"restored {rows} rows in {len(manifest['records'])} tables and "
                          f"{len(manifest['files'])} files; counts and checksums match the backup")
