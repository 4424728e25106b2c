"""Measure one reminder sweep over many synthetic milestones (PostgreSQL); everything it makes is rolled back.

``python manage.py bench_reminder_sweep 200000 --settings=bench.settings``"""

import datetime
import random
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from contracts.models import Contract
from core.models import User
from forwardplans import reminders
from forwardplans.models import Action, ForwardPlan, Milestone
from practices.models import Commissioner, Practice


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure a reminder sweep over this many synthetic milestones (PostgreSQL; rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("milestones", type=int)
        parser.add_argument("--due", type=int, default=300, help="how many of them are due")
        parser.add_argument("--today", help="sweep as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, milestones, due, today, **options):
        today = datetime.date.fromisoformat(today) if today else None
        return self._benchmark(milestones, due, today)

    # Measuring ----------------------------------------------------------------------------------------

    def _benchmark(self, total, due, today):
        if connection.vendor != "postgresql":
            raise CommandError("bench_reminder_sweep measures PostgreSQL; set DATABASE_URL")
        today = today or datetime.date.today()
        try:
            with transaction.atomic(), override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                started = time.perf_counter()
                self._make(total, due, today)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                self.stdout.write(f"made {total} milestones ({due} due) in {time.perf_counter() - started:.1f}s")
                with CaptureQueriesContext(connection) as collected:
                    started = time.perf_counter()
                    candidates, _users = reminders.visible_only(reminders.collect(today))
                    select_seconds = time.perf_counter() - started
                with CaptureQueriesContext(connection) as swept:
                    result = reminders.sweep(today)
                with CaptureQueriesContext(connection) as again:
                    second = reminders.sweep(today)
                self.stdout.write(
                    f"select+access: {select_seconds * 1000:.0f} ms, {len(collected)} queries, "
                    f"{len(candidates)} reminders\n"
                    f"first sweep: sent={result.sent} skipped={result.skipped} emailed={result.emailed} "
                    f"{result.seconds * 1000:.0f} ms, {len(swept)} queries\n"
                    f"second sweep: sent={second.sent} skipped={second.skipped} {second.seconds * 1000:.0f} ms, "
                    f"{len(again)} queries")
                milestone_sql = next(q["sql"] for q in collected.captured_queries
                                     if 'FROM "forwardplans_milestone"' in q["sql"])
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN " + milestone_sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                self.stdout.write("milestone query plan:\n" + plan)
                raise _Rollback
        except _Rollback:
            self.stdout.write("rolled back")

    def _make(self, total, due, today):
        """Contracts of 10 actions x 10 milestones; ``due`` milestones fall in the reminder windows, the rest are
        done or months away."""
        rng = random.Random(6)  # noqa: S311  (synthetic test data)
        tag = uuid.uuid4().hex[:6]
        commissioner = Commissioner.objects.create(ods_code=f"B{tag}"[:10], name=f"Benchmark {tag}")
        n_contracts = max(1, total // 100)
        taken = set(Practice.objects.filter(ods_code__startswith="Y").values_list("ods_code", flat=True))
        codes = (code for code in (f"Y{i:05d}" for i in range(100000)) if code not in taken)
        practices = Practice.objects.bulk_create(
            [Practice(ods_code=next(codes), name=f"Benchmark practice {i}", commissioner=commissioner)
             for i in range(min(n_contracts, 5000))])
        users = User.objects.bulk_create(
            [User(username=f"bench-{tag}-{i}", email=f"bench{i}@example.nhs.uk", role="practice_lead",
                  practice=practices[i % len(practices)]) for i in range(len(practices))]
            + [User(username=f"bench-{tag}-dl{i}", email=f"dl{i}@example.nhs.uk", role="rcgp_deputy_lead")
               for i in range(20)])
        leads, deputies = users[:len(practices)], users[len(practices):]
        User.objects.create(username=f"bench-{tag}-ps", email="ps@example.nhs.uk", role="commissioner_peer_support",
                            commissioner=commissioner)
        contracts = Contract.objects.bulk_create(
            [Contract(reference=f"BM{tag}-{i}", practice=practices[i % len(practices)], commissioner=commissioner,
                      programme="special_measures", state="review_meeting", commissioned_on=today.replace(year=2024),
                      deputy_lead=deputies[i % len(deputies)]) for i in range(n_contracts)])
        plans = ForwardPlan.objects.bulk_create([ForwardPlan(contract=c) for c in contracts])
        far = today + datetime.timedelta(days=400)
        actions = Action.objects.bulk_create(
            [Action(plan=plan, key_question="safe", problem="p", underlying_issue="u", action_planned=f"Action {j}",
                    lead_person="Lead", lead_user=leads[i % len(leads)], evidence_needed="e", planned_completion=far)
             for i, plan in enumerate(plans) for j in range(10)], batch_size=5000)
        milestones = []
        for n in range(total):
            action = actions[n % len(actions)]
            if n < due:  # in the windows: overdue (last 14 days), tomorrow, within a week
                offset = rng.choice([-10, -3, -1, 0, 1, 3, 5, 7])
                milestones.append(Milestone(action=action, description=f"M{n}",
                                            due_on=today + datetime.timedelta(days=offset)))
            elif n % 2:  # done in the past
                day = today - datetime.timedelta(days=rng.randint(1, 900))
                milestones.append(Milestone(action=action, description=f"M{n}", due_on=day, done_on=day))
            else:  # open, weeks to years away (or long overdue, beyond the catch-up window)
                offset = rng.choice([rng.randint(15, 1000), -rng.randint(30, 900)])
                milestones.append(Milestone(action=action, description=f"M{n}",
                                            due_on=today + datetime.timedelta(days=offset)))
        Milestone.objects.bulk_create(milestones, batch_size=10000)
