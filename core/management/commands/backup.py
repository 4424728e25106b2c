from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import backup
from core.errors import DomainError


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and every stored file into one timestamped archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.BASE_DIR / "var" / "backups"))

    def handle(self, *args, **options):
        try:
            archive = backup(options["output"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(archive))
