"""Keep CQC ratings current from the CQC public API (CQC_API_BASE_URL, CQC_API_KEY)."""

from django.core.management.base import BaseCommand

from surveillance.services import sync_run_cqc

from ._report import print_report


class Command(BaseCommand):
    help = ("Fetch the CQC locations changed since the last run (and those on the retry list) and apply their "
            "ratings; --full fetches every known practice's location.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="fetch every known practice's location")

    def handle(self, *args, **options):
        print_report(self, sync_run_cqc(full=options["full"]))
