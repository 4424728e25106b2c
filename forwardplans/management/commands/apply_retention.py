import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from forwardplans.retention import delete_expired_documents, expired_documents, retention_cutoff


class Command(BaseCommand):
    help = (f"List (and with --apply delete) the documents of contracts that ended more than RETENTION_YEARS "
            f"({settings.RETENTION_YEARS}) years ago.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="delete them (otherwise only list)")
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="pretend today is YYYY-MM-DD")

    def handle(self, *args, **options):
        today = options["today"]
        items = delete_expired_documents(today) if options["apply"] else expired_documents(today)
        verb = "deleted" if options["apply"] else "would delete"
        for item in items:
            c = item.contract
            self.stdout.write(f"{c.reference} {c.practice.ods_code} ended {c.ended_on}: {verb} {item.reports} report, "
                              f"{item.plans} plan, {item.evidence} evidence files, {item.pdfs} PDFs, "
                              f"{item.questionnaires} questionnaires, {item.concerns} closed concerns"
                              + (f" ({item.open_concerns} open concerns kept)" if item.open_concerns else ""))
        self.stdout.write(f"{len(items)} contracts past retention (ended before {retention_cutoff(today)}); "
                          f"{'deleted' if options['apply'] else 'nothing deleted: use --apply'}")
