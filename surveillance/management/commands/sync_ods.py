"""Apply the ODS GP practice file fetched from ODS_EPRACCUR_URL."""

from django.core.management.base import BaseCommand

from surveillance.services import sync_run_ods

from ._report import print_report


class Command(BaseCommand):
    help = "Fetch the ODS epraccur file (ODS_EPRACCUR_URL: a zip holding epraccur.csv, or a CSV) and apply it."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="fetch from this address instead of ODS_EPRACCUR_URL")

    def handle(self, *args, **options):
        print_report(self, sync_run_ods(url=options["url"]))
