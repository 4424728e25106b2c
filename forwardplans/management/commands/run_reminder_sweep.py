"""One reminder sweep, the same code beat runs every morning. Prints ``sent=N skipped=N``."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from forwardplans import outbox, reminders


class Command(BaseCommand):
    help = ("Run one reminder sweep (every deadline of forwardplans.deadlines: milestones, planned completions, "
            "first contact, referral acknowledgement, special-measures re-inspection, the end of a contract's "
            "agreement; --digest adds the weekly digest) and print sent=N skipped=N. "
            "A reminder already sent is skipped, so a second run prints sent=0.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="sweep as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--digest", action="store_true", help="also send this week's digest")

    def handle(self, *args, today, digest, **options):
        try:
            today = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
        relayed = outbox.relay()
        result = reminders.sweep(today, digest=digest)
        self.stdout.write(f"sent={result.sent} skipped={result.skipped}")
        if options["verbosity"] > 1:
            self.stderr.write(f"emailed={result.emailed} email_retry={result.email_retry} "
                              f"email_failed={result.email_failed} outbox_relayed={relayed} "
                              f"seconds={result.seconds:.3f}")
            for (item, kind), n in sorted(result.by_kind.items()):
                self.stderr.write(f"  {item} {kind}: {n}")
        if result.email_retry:
            self.stderr.write(f"{result.email_retry} e-mail(s) could not be sent now and will be retried.")
