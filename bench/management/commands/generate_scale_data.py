"""Load the deterministic England-size synthetic data set (bench/scale_data.py) into an empty database."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.scale_data import ENGLAND, ScaleData


class Command(BaseCommand):
    help = (f"Fill an EMPTY PostgreSQL database with a deterministic synthetic England: {ENGLAND['commissioners']} "
            f"ICBs with {ENGLAND['sub_icbs']} sub-ICB locations, {ENGLAND['practices']:,} practices x "
            f"{ENGLAND['inspections_per_practice']} inspections, "
            f"{ENGLAND['contracts']:,} contracts with a diagnostic report and a {ENGLAND['actions_per_plan']}-action "
            "forward plan each (3 milestones and ~10 RAG changes per action), a user per role per organisation, "
            "with history rows. Used by `make bench`.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--today", help="lay the dates out around this day (YYYY-MM-DD; default today)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiply the numbers of commissioners, practices, contracts and people "
                                 "(e.g. 0.01 for a quick try; plans keep 40 actions)")
        parser.add_argument("--history", type=float, default=1.0,
                            help="multiply the records that pile up with the years (contracts and their plans, "
                                 "actions, RAG changes, payments..., and self-referrals) but not England or what "
                                 "is live now: the extra ones are ended cases of the years before the last 18 "
                                 "months (e.g. 4: 12,000 contracts)")
        parser.add_argument("--password", help="password of every generated account (default bench-password-2026)")

    def handle(self, *args, seed, today, scale, history, password, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale_data loads with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL "
                               "database")
        try:
            today = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
        if scale <= 0:
            raise CommandError("--scale must be more than 0")
        if history <= 0:
            raise CommandError("--history must be more than 0")
        data = ScaleData(seed=seed, today=today, scale=scale, history=history, password=password,
                         log=lambda line: self.stdout.write(line))
        occupied = data.check_empty()
        if occupied:
            raise CommandError(f"The database already holds {occupied} rows: generate_scale_data only fills an empty "
                               "database (make bench creates a new one).")
        self.stdout.write(f"Generating (seed {seed}, scale {scale:g}, history {history:g}, around {data.today}) ...")
        counts = data.run()
        for table, n in sorted(counts.items()):
            self.stdout.write(f"  {table}: {n:,}")
        self.stdout.write(f"generated in {data.seconds:.1f}s")
