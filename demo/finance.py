"""The demo's time and money: DEMO-SHARED's costed turnaround plan for its two advisers (Amira Shah, GP, and Helen
Brooks, practice manager), time logged against it with some days left, an other cost, an NHSE invoice paid and a
commissioner invoice awaiting payment; DEMO-AWAYDAY a small plan and a day logged.

Through the services, as the demo's users (the deputy lead costs the plans, the advisers log their own time, RCGP
admin records the payments). Idempotent: each contract's plan, time, costs and invoices are made once."""

import datetime
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract, Payment, TeamMembership
from core.models import User
from finance import payment_services, services
from finance.models import OtherCost, PlanLine, TimeEntry

D = Decimal
# (contract, adviser username, activity, costed days, day rate)
PLANS = [
    ("DEMO-SHARED", "demo-rcgp_adviser", "scoping", "2", "650.00"),
    ("DEMO-SHARED", "demo-rcgp_adviser", "diagnostic_report", "2", "650.00"),
    ("DEMO-SHARED", "demo-rcgp_adviser", "review_meeting", "1", "650.00"),
    ("DEMO-SHARED", "adviser-helen-brooks", "scoping", "2", "450.00"),
    ("DEMO-SHARED", "adviser-helen-brooks", "forward_plan", "2", "450.00"),
    ("DEMO-SHARED", "adviser-helen-brooks", "travel", "0.5", "450.00"),
    ("DEMO-AWAYDAY", "adviser-helen-brooks", "pre_scoping", "0.5", "450.00"),
    ("DEMO-AWAYDAY", "adviser-helen-brooks", "ongoing_support", "1.5", "450.00"),
]
# (contract, adviser username, days after commissioning, activity, days, note)
TIME = [
    ("DEMO-SHARED", "demo-rcgp_adviser", 14, "scoping", "1", "Scoping visit with the partners and the manager."),
    ("DEMO-SHARED", "demo-rcgp_adviser", 15, "scoping", "0.5", "Read the CQC report and the benchmarks."),
    ("DEMO-SHARED", "adviser-helen-brooks", 14, "scoping", "1", "Scoping visit: interviews with the admin team."),
    ("DEMO-SHARED", "demo-rcgp_adviser", 30, "diagnostic_report", "1.5", "Drafted the diagnostic report."),
    ("DEMO-SHARED", "adviser-helen-brooks", 45, "forward_plan", "1.25", "Forward plan drafted with the manager."),
    ("DEMO-AWAYDAY", "adviser-helen-brooks", 3, "pre_scoping", "0.5", "Call with the practice to plan the day."),
]


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _team(contract):
    return {m.adviser.user.username: m.adviser for m in TeamMembership.objects.filter(
        contract=contract, removed_at__isnull=True).select_related("adviser__user")}


def seed_finance(log=print):
    deputy, admin = _user("demo-rcgp_deputy_lead"), _user("demo-rcgp_admin")
    if deputy is None or admin is None:
        log("finance: no demo RCGP users, skipped")
        return
    today = timezone.localdate()
    for reference in ("DEMO-SHARED", "DEMO-AWAYDAY"):
        contract = Contract.objects.filter(reference=reference).first()
        if contract is None:
            log(f"finance: no {reference}, skipped")
            continue
        team = _team(contract)
        lead = contract.deputy_lead or admin
        if not PlanLine.objects.filter(contract=contract).exists():
            for ref, username, activity, days, rate in PLANS:
                if ref == reference and username in team:
                    services.plan_line_add(contract=contract, actor=lead, adviser=team[username], activity=activity,
                                           days=D(days), day_rate=D(rate))
            log(f"finance: {reference}'s costed plan")
        if not TimeEntry.objects.filter(contract=contract).exists():
            for ref, username, after, activity, days, note in TIME:
                if ref == reference and username in team:
                    worked_on = min(contract.commissioned_on + datetime.timedelta(days=after), today)
                    services.time_log(contract=contract, actor=team[username].user, adviser=team[username],
                                      worked_on=worked_on, activity=activity, days=D(days), note=note)
            log(f"finance: time logged on {reference}")
        if reference != "DEMO-SHARED":
            continue
        if not OtherCost.objects.filter(contract=contract).exists():
            services.other_cost_add(contract=contract, actor=lead, what="Room hire for the review meeting",
                                    incurred_on=min(contract.commissioned_on + datetime.timedelta(days=20), today),
                                    amount=D("85.00"))
        if not Payment.objects.filter(contract=contract).exists():
            invoiced = contract.commissioned_on + datetime.timedelta(days=30)
            nhse = payment_services.invoice_record(contract=contract, actor=admin, funder="nhse", amount=D("5000.00"),
                                                   invoiced_on=invoiced, reference="RCGP-INV-0412")
            payment_services.payment_mark_paid(payment=nhse, actor=admin, base_version=nhse.version,
                                               paid_on=min(invoiced + datetime.timedelta(days=21), today))
            payment_services.invoice_record(contract=contract, actor=admin, funder="commissioner",
                                            amount=D("2500.00"), invoiced_on=min(invoiced + datetime.timedelta(
                                                days=60), today), reference="RCGP-INV-0468")
            log("finance: DEMO-SHARED's invoices (NHSE paid, the commissioner's awaiting payment)")
