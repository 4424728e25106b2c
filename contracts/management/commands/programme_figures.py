import contextlib
import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from contracts.enquiry_models import Enquiry
from contracts.figures import programme_figures
from contracts.imports import ISO_DATE
from contracts.vocabulary import Programme
from practices.models import Commissioner


def _iso_date(option, value):
    """A YYYY-MM-DD option as a date (None when not given)."""
    if value is None:
        return None
    if ISO_DATE.match(value):
        with contextlib.suppress(ValueError):
            return datetime.date.fromisoformat(value)
    raise CommandError(f"{option} {value!r} is not a valid date (YYYY-MM-DD)")


class Command(BaseCommand):
    help = "Print a programme's activity and outcome figures as JSON (optionally for one commissioner and dates)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, help=f"one of {', '.join(Programme.values)}")
        parser.add_argument("--commissioner", help="a commissioner's ODS code (includes its sub-ICB locations)")
        parser.add_argument("--from", dest="date_from", help="commissioned on or after (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", help="commissioned on or before (YYYY-MM-DD)")

    def handle(self, *args, programme, commissioner, date_from, date_to, **options):
        if programme not in Programme.values:
            raise CommandError(f"Unknown programme {programme!r}: use one of {', '.join(Programme.values)}")
        if commissioner is not None:
            code = commissioner
            commissioner = Commissioner.objects.filter(ods_code__iexact=code.strip()).first()
            if commissioner is None:
                raise CommandError(f"No commissioner with ODS code {code!r}")
        date_from, date_to = _iso_date("--from", date_from), _iso_date("--to", date_to)
        if date_from and date_to and date_from > date_to:
            raise CommandError(f"--from {date_from.isoformat()} is after --to {date_to.isoformat()}")
        figures = programme_figures(programme=programme, commissioner=commissioner, date_from=date_from,
                                    date_to=date_to, enquiries=Enquiry.objects.all())
        self.stdout.write(json.dumps(figures, indent=2))
