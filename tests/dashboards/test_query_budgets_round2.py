"""Query budgets, round two: the pages and API lists test_query_budgets.py does not measure.

The same rule (``assert_flat``): each page answers 200 within its budget (today's count), and in exactly as many
queries once its data has doubled, so one extra query per row cannot hide under the budget. Where a page lists
records ``add_everything`` does not make (monitoring records, levels, concerns, events, enquiries, sync runs,
people...), ``add_more`` adds a unit of those too.
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.services import agreement_draft
from api.auth import issue_token
from contracts.enquiry_models import Enquiry
from contracts.enquiry_services import enquiry_record
from contracts.models import Contract, Payment
from core.roles import Role
from events.models import PeerSupport
from levels.models import Level, LevelChange, PracticeLevel, Source
from monitoring.services import readiness_review_record
from people.access import Organisation
from people.adviser_services import conflict_declare
from people.services import invitation_create
from practices.models import Practice
from returns.builder import return_build
from returns.models import Allocation, DataReturn
from returns.targets import deadlines_ensure
from surveillance.alerts import alerts_raise
from surveillance.models import PracticeAlert

from ..concerns.factories import ConcernFactory
from ..contractual.factories import NoticeFactory
from ..delivery.factories import meeting
from ..evaluation.factories import case_study
from ..events.factories import event, registration
from ..factories import AdviserFactory, CommissionerFactory, UserFactory
from ..monitoring.factories import checklist, record
from ..surveillance.factories import RetryItemFactory, SyncRunFactory
from .test_query_budgets import add_everything, assert_flat

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
LEVELS = [Level.RESCUE, Level.RESILIENCE, Level.IMPROVEMENT, Level.EXCELLENCE]
FY = 2025  # the contracts' financial year: ContractFactory commissions them on 5 January 2026


def add_more(world, docs=None):
    """One unit of every kind of record the pages here list: ``add_everything``'s, and monitoring records with
    follow-ups and a readiness review of the world's own practice, levels of support (the new practices' and
    two more changes of the own practice's), concerns, events with registrations, peer support, enquiries, sync
    runs and retries, and case studies of the ended contracts."""
    users = world["users"]
    lead, admin = users[Role.COMMISSIONER_LEAD], users[Role.RCGP_ADMIN]
    before = set(Practice.objects.values_list("pk", flat=True))
    add_everything(world, docs)
    new = list(Practice.objects.exclude(pk__in=before).order_by("pk"))
    own = world["practices"]["own"]
    today = timezone.localdate()
    n = next(_serial)
    for k in range(3):
        record(
            own,
            lead,
            shared=k == 0,
            days_ago=k + 1,
            summary=f"Visit {n}.{k}",
            follow_ups=[{"what": f"Call {n}.{k}", "due_on": today + datetime.timedelta(days=k + 1)}],
        )
    readiness_review_record(
        practice=own,
        actor=lead,
        reviewed_on=today - datetime.timedelta(days=n),
        checklist=checklist(),
        readiness="partly",
    )
    for i, practice in enumerate(new):
        _level(practice, LEVELS[i % 4], admin)
    for k in range(2):
        _level(own, LEVELS[(n + k) % 4], admin, reason=f"Review {n}.{k}")
    live = list(Contract.objects.filter(commissioner=world["own"], ended_on__isnull=True).order_by("-pk")[:4])
    for contract in live[:3]:
        ConcernFactory(contract=contract, raised_by=users[Role.RCGP_ADVISER])
    for k in range(2):
        made = event(title=f"Workshop {n}.{k}", starts_in=datetime.timedelta(days=10 + k if k else -10 - n))
        for practice in new[:3]:
            registration(made, practice, name=f"Attendee {n}.{k}")
    excellent = [p for i, p in enumerate(new) if LEVELS[i % 4] == Level.EXCELLENCE]
    rescued = [p for i, p in enumerate(new) if LEVELS[i % 4] == Level.RESCUE]
    for supporting, supported in zip(excellent[:2], rescued[:2], strict=True):
        PeerSupport.objects.create(
            supporting=supporting,
            supported=supported,
            supporting_level=Level.EXCELLENCE,
            supported_level=Level.RESCUE,
            started_on=today,
            support="Buddying",
            recorded_by=admin,
        )
    for practice in new[:3]:
        enquiry_record(
            practice=practice,
            source="practice",
            programme="resilience",
            opened_on=today,
            asked="Help with recruitment.",
            actor=admin,
        )
    for k in range(2):
        SyncRunFactory(started_at=timezone.now() - datetime.timedelta(hours=n * 10 + k))
        RetryItemFactory()
    for contract in Contract.objects.filter(commissioner=world["own"], ended_on__isnull=False, state="closed").order_by(
        "-pk"
    )[:2]:
        case_study(contract, lead, title=f"Case study {n}.{contract.pk}")
    # The API's lists of the rest: offers, alerts, contractual action, delivery records, agreements, payments, an
    # ICB's allocation and the regions' data returns (of the contracts' financial year, FY).
    deputy, regional = users[Role.RCGP_DEPUTY_LEAD], users[Role.NHSE_REGIONAL]
    for practice in new[3:6]:
        Enquiry.objects.create(practice=practice, opened_on=today, reply_due=today + datetime.timedelta(days=14))
    on = today - datetime.timedelta(days=3)
    alerts_raise(
        changes=[
            {
                "kind": PracticeAlert.Kind.RATING_FELL,
                "practice_id": practice.pk,
                "on": on,
                "key": f"fell-{n}-{practice.pk}",
                "facts": {"from": "good", "to": "inadequate", "published_on": on.isoformat()},
            }
            for practice in new[:3]
        ]
    )
    for practice in new[:2]:
        NoticeFactory(decision__case__practice=practice, decision__case__opened_by=lead)
    for contract in live[:2]:
        meeting(contract, deputy)
        agreement_draft(contract=contract, actor=deputy)
        Payment.objects.create(
            contract=contract,
            funder="nhse",
            amount=Decimal("1000.00"),
            invoiced_on=datetime.date(FY, 6, 1),
            paid_on=datetime.date(FY, 7, 1),
        )
    Allocation.objects.create(
        financial_year=FY, region="Y62", icb=CommissionerFactory(region="Y62"), amount=Decimal("1000.00")
    )
    deadline = deadlines_ensure(FY)[0]
    for region in ("Y62", "Y63"):
        number = DataReturn.objects.filter(region=region, deadline=deadline).count() + 1
        DataReturn.objects.create(
            region=region,
            deadline=deadline,
            number=number,
            reason="" if number == 1 else "Resubmitted",
            submitted_by=regional,
            content=return_build(region=region, deadline=deadline, now=timezone.now()),
            submitted_at=timezone.now(),
        )


def _level(practice, level, by, reason="Agreed at the review"):
    """A level set by hand and its change in the history, as stored (levels.services refuses any level but Rescue
    for a practice in special measures, which the inspections here may put it in)."""
    now = timezone.now()
    was = PracticeLevel.objects.filter(practice=practice).values_list("level", flat=True).first() or ""
    PracticeLevel.objects.update_or_create(
        practice=practice, defaults={"level": level, "since": now, "source": Source.SET}
    )
    LevelChange.objects.create(
        practice=practice, from_level=was, level=level, source=Source.SET, reason=reason, changed_by=by, changed_at=now
    )


@pytest.fixture
def more(world, docs):
    add_more(world, docs)
    return lambda: add_more(world, docs)


def _token(user):
    return {"headers": {"Authorization": f"Token {issue_token(user)[1]}"}}


# The risk register ------------------------------------------------------------------------------------------------

# The commissioner lead's register lists every practice of the commissioner; RCGP admin's those in support: the
# docs fixture's and the four live contracts' of each unit (add_contracts).
REGISTER_ROWS = {Role.COMMISSIONER_LEAD: 2 + 2 * 13, Role.RCGP_ADMIN: 1 + 2 * 4}


@pytest.mark.parametrize(("role", "budget"), [(Role.COMMISSIONER_LEAD, 10), (Role.RCGP_ADMIN, 9)])
def test_risk_register(client, world, more, django_assert_max_num_queries, role, budget):
    client.force_login(world["users"][role])
    response = assert_flat(client, reverse("dashboards:risk_register"), budget, more, django_assert_max_num_queries)
    assert response.context["page"].paginator.count == REGISTER_ROWS[role]


@pytest.mark.parametrize(("role", "budget"), [(Role.COMMISSIONER_LEAD, 9), (Role.RCGP_ADMIN, 8)])
def test_risk_register_download(client, world, more, django_assert_max_num_queries, role, budget):
    client.force_login(world["users"][role])
    response = assert_flat(
        client, reverse("dashboards:risk_register_download"), budget, more, django_assert_max_num_queries
    )
    assert response.content.count(b"\r\n") == 1 + REGISTER_ROWS[role]  # the header and every row


# Monitoring and levels of support ---------------------------------------------------------------------------------


def test_monitoring_practice(client, world, more, django_assert_max_num_queries):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    response = assert_flat(
        client,
        reverse("monitoring:practice", args=[world["practices"]["own"].ods_code]),
        7,
        more,
        django_assert_max_num_queries,
    )
    assert len(response.context["records"]) == 2 * 3
    assert len(response.context["follow_ups"]) == 2 * 3
    assert len(response.context["reviews"]) == 2


@pytest.mark.parametrize(
    ("role", "practices", "levelled"),
    [(Role.COMMISSIONER_LEAD, 2 + 2 * 13, 1 + 2 * 13), (Role.RCGP_ADMIN, 4 + 2 * 26, 1 + 2 * 26)],
)
def test_levels_list(client, world, more, django_assert_max_num_queries, role, practices, levelled):
    client.force_login(world["users"][role])
    response = assert_flat(client, reverse("levels:list"), 6, more, django_assert_max_num_queries)
    assert response.context["page"].paginator.count == practices
    assert sum(count for _level, count in response.context["counts"]) == levelled  # the own practice and the new


@pytest.mark.parametrize("role", [Role.COMMISSIONER_LEAD, Role.RCGP_ADMIN])
def test_levels_practice(client, world, more, django_assert_max_num_queries, role):
    client.force_login(world["users"][role])
    response = assert_flat(
        client,
        reverse("levels:practice", args=[world["practices"]["own"].ods_code]),
        8,
        more,
        django_assert_max_num_queries,
    )
    assert len(response.context["changes"]) == 2 * 2


# NHS England's returns ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.NHSE_REPORTING, Role.NHSE_REGIONAL, Role.RCGP_ADMIN])
def test_returns_board(client, world, more, django_assert_max_num_queries, role):
    client.force_login(world["users"][role])
    # 16: the figures by region are five queries a deadline (returns/targets.py target_board), three deadlines.
    response = assert_flat(
        client, reverse("returns:board") + f"?financial_year={FY}", 16, more, django_assert_max_num_queries
    )
    board = response.context["board"]
    assert len(board) == 3
    assert sum(row["figures"].allocated for row in board[0]["regions"]) == 2 * 1000  # an ICB's a unit, in Y62


def _latest(response, region):
    return next(row["latest"].number for row in response.context["deadlines"][0]["regions"] if row["code"] == region)


RETURNS_PAGES = [  # (URL name, its arguments, role, budget, what the page shows, after two units of data)
    # The region's figures by ICB (the world's own and an allocated one a unit) and its allocations (one a unit).
    (
        "returns:region",
        ["Y62"],
        Role.NHSE_REGIONAL,
        8,
        lambda r: (len(r.context["rows"]), len(r.context["allocations"])),
        (1 + 2, 2),
    ),
    ("returns:allocations", [], Role.NHSE_REPORTING, 7, lambda r: len(r.context["allocations"]), 2),
    # The latest return of each region at each deadline: the second submission, after two units.
    ("returns:returns_year", [FY], Role.NHSE_REPORTING, 5, lambda r: (_latest(r, "Y62"), _latest(r, "Y63")), (2, 2)),
    ("returns:returns_year", [FY], Role.NHSE_REGIONAL, 5, lambda r: _latest(r, "Y62"), 2),
]


@pytest.mark.parametrize(("name", "args", "role", "budget", "shown", "expected"), RETURNS_PAGES)
def test_returns_pages(client, world, more, django_assert_max_num_queries, name, args, role, budget, shown, expected):
    client.force_login(world["users"][role])
    response = assert_flat(
        client, reverse(name, args=args) + f"?financial_year={FY}", budget, more, django_assert_max_num_queries
    )
    assert shown(response) == expected


# Lists -------------------------------------------------------------------------------------------------------------


def _count(response):
    return response.context["page"].paginator.count


def _events(response):
    return len(response.context["upcoming"]) + len(response.context["past"])


def _case_studies(response):
    return sum(row.drafts + row.finals for row in response.context["rows"])


LISTS = [  # (URL name, role, budget, what the page shows, how many after two units of data)
    ("contracts:list", Role.RCGP_ADMIN, 5, _count, 1 + 2 * 8),
    ("contracts:list", Role.COMMISSIONER_LEAD, 5, _count, 1 + 2 * 8),
    ("referrals:list", Role.RCGP_ADMIN, 5, _count, 2 * 2),
    ("referrals:list", Role.COMMISSIONER_LEAD, 5, _count, 2 * 2),
    ("concerns:list", Role.RCGP_ADMIN, 4, lambda r: len(r.context["concerns"]), 2 * 3),
    ("concerns:list", Role.COMMISSIONER_LEAD, 4, lambda r: len(r.context["concerns"]), 2 * 3),
    ("events:list", Role.RCGP_ADMIN, 4, _events, 2 * 2),
    ("events:list", Role.PRACTICE_LEAD, 4, _events, 2 * 2),
    ("events:peer_support", Role.RCGP_ADMIN, 4, lambda r: len(r.context["records"]), 2 * 2),
    ("finance:advisers", Role.RCGP_ADMIN, 8, lambda r: len(r.context["rows"]), 1 + 2 * 8),
    ("evaluation:counts", Role.RCGP_ADMIN, 8, _case_studies, 2 * 2),
    ("evaluation:counts", Role.COMMISSIONER_LEAD, 8, _case_studies, 2 * 2),
    ("surveillance:runs", Role.RCGP_ADMIN, 5, lambda r: len(r.context["runs"]) + len(r.context["retries"]), 2 * 4),
    ("contracts:offers", Role.RCGP_ADMIN, 6, _count, 2 * 6),
    ("contracts:offers", Role.COMMISSIONER_LEAD, 6, _count, 2 * 6),
]


@pytest.mark.parametrize(("name", "role", "budget", "shown", "rows"), LISTS)
def test_list_page(client, world, more, django_assert_max_num_queries, name, role, budget, shown, rows):
    client.force_login(world["users"][role])
    response = assert_flat(client, reverse(name), budget, more, django_assert_max_num_queries)
    assert shown(response) == rows


# People ------------------------------------------------------------------------------------------------------------


def add_people(world, org, role, actor):
    """Three more people of ``org`` and two invitations to it."""
    n = next(_serial)
    for k in range(3):
        UserFactory(
            role=role,
            commissioner=world["own"] if org.kind == "commissioner" else None,
            first_name=f"Person{n}",
            last_name=f"K{k}",
        )
    for k in range(2):
        invitation_create(org=org, email=f"invited{n}.{k}@example.nhs.uk", role=role, actor=actor)


@pytest.mark.parametrize(
    ("role", "slug", "kind", "people", "budget"),
    [
        (Role.COMMISSIONER_LEAD, "commissioner/01A", Role.COMMISSIONER_PEER_SUPPORT, 2, 10),
        (Role.RCGP_ADMIN, "rcgp", Role.RCGP_ADVISER, 3, 8),
    ],
)
def test_people_of_an_organisation(client, world, django_assert_max_num_queries, role, slug, kind, people, budget):
    admin = world["users"][role]
    org = Organisation("commissioner", commissioner_id=world["own"].pk) if slug != "rcgp" else Organisation("rcgp")

    def grow_people():
        add_people(world, org, kind, admin)

    grow_people()
    client.force_login(admin)
    response = assert_flat(
        client, reverse("people:organisation", args=[slug]), budget, grow_people, django_assert_max_num_queries
    )
    assert response.context["people"].paginator.count == people + 2 * 3  # the world's, and three a unit
    assert len(response.context["invitations"]) == 2 * 2


def test_people_changes(client, world, django_assert_max_num_queries):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    org = Organisation("commissioner", commissioner_id=world["own"].pk)

    def grow_people():
        add_people(world, org, Role.COMMISSIONER_PEER_SUPPORT, lead)

    grow_people()
    client.force_login(lead)
    response = assert_flat(
        client, reverse("people:changes", args=["commissioner/01A"]), 7, grow_people, django_assert_max_num_queries
    )
    assert response.content.count(b"invited") >= 2 * 2


def test_adviser_pool(client, world, django_assert_max_num_queries):
    admin = world["users"][Role.RCGP_ADMIN]
    practice = world["practices"]["own"]

    def grow_pool():
        """Three advisers with a conflict each, two RCGP members not yet in the pool, and advisers on live
        contracts (add_everything)."""
        n = next(_serial)
        for k in range(3):
            adviser = AdviserFactory(region=["North West", "London"][k % 2])
            conflict_declare(
                adviser=adviser,
                practice_code=practice.ods_code,
                description=f"Partner {n}.{k}",
                declared_on=timezone.localdate(),
                actor=admin,
            )
        for k in range(2):
            UserFactory(role=Role.RCGP_ADVISER, first_name=f"Candidate{n}", last_name=f"K{k}")
        add_everything(world)

    grow_pool()
    client.force_login(admin)
    response = assert_flat(client, reverse("people:advisers"), 7, grow_pool, django_assert_max_num_queries)
    assert response.context["page"].paginator.count == 2 * (3 + 8)
    assert len(response.context["candidates"]) >= 2 * 2


# API lists ---------------------------------------------------------------------------------------------------------


def _results(body):
    return len(body["results"]) if isinstance(body, dict) else len(body)


def _region(rows, region, **match):
    return next(row for row in rows if row["region"] == region and all(row[k] == v for k, v in match.items()))


API = [  # (URL, role, budget, what the answer shows, how many after two units of data)
    ("/api/v1/inspections/", Role.NHSE_REPORTING, 4, _results, 100),  # a full page (60 the first time)
    ("/api/v1/contracts/", Role.NHSE_REPORTING, 3, _results, 1 + 2 * 8),
    ("/api/v1/contracts/", Role.COMMISSIONER_LEAD, 3, _results, 1 + 2 * 8),
    ("/api/v1/actions/", Role.RCGP_ADMIN, 2, _results, 1 + 2 * (5 + 8 * 3)),
    ("/api/v1/offers/", Role.RCGP_ADMIN, 2, _results, 2 * 3),
    ("/api/v1/enquiries/", Role.RCGP_ADMIN, 2, _results, 2 * 6),
    ("/api/v1/alerts/", Role.RCGP_ADMIN, 2, _results, 2 * 3),
    ("/api/v1/monitoring-records/", Role.COMMISSIONER_LEAD, 3, _results, 2 * 3),
    ("/api/v1/contractual-actions/", Role.COMMISSIONER_LEAD, 4, _results, 2 * 2),
    ("/api/v1/delivery-records/", Role.RCGP_ADMIN, 2, _results, 2 * 2),
    ("/api/v1/agreements/", Role.RCGP_ADMIN, 6, _results, 2 * 2),
    ("/api/v1/case-studies/", Role.RCGP_ADMIN, 2, _results, 2 * 2),
    ("/api/v1/events/", Role.RCGP_ADMIN, 2, _results, 2 * 2),
    ("/api/v1/event-attendance/", Role.RCGP_ADMIN, 2, _results, 2 * 6),
    ("/api/v1/peer-support/", Role.RCGP_ADMIN, 2, _results, 2 * 2),
    ("/api/v1/levels/", Role.NHSE_REPORTING, 2, _results, 1 + 2 * 26),
    ("/api/v1/level-changes/", Role.NHSE_REPORTING, 2, _results, 2 * (26 + 2)),
    ("/api/v1/returns/data-returns/", Role.NHSE_REPORTING, 2, _results, 2 * 2),
    ("/api/v1/payments/", Role.RCGP_ADMIN, 2, _results, 2 * 2),
    ("/api/v1/delivery-costs/", Role.RCGP_ADMIN, 2, _results, 1 + 2 * 8),
    ("/api/v1/adviser-load/", Role.RCGP_ADMIN, 6, _results, 1 + 2 * 8),
    ("/api/v1/forward-plans/summary/", Role.NHSE_REPORTING, 4, _results, 1 + 2 * 8),
    (
        "/api/v1/reports/programme-outcomes/?programme=resilience",
        Role.NHSE_REPORTING,
        3,
        lambda body: body["enquiry_outcomes"]["made"],
        2 * 3,
    ),
    (
        f"/api/v1/reports/funding/?financial_year={FY}",
        Role.NHSE_REPORTING,
        3,
        lambda body: sum(row["contracts"] for row in body),
        1 + 2 * 8,
    ),
    ("/api/v1/reports/rag/", Role.NHSE_REPORTING, 2, lambda body: body[0]["total"], 1 + 2 * (5 + 8 * 3)),
    (
        f"/api/v1/returns/rollup/?financial_year={FY}",
        Role.NHSE_REPORTING,
        5,
        lambda body: _region(body, "Y62", deadline=1)["return_number"],
        2,
    ),
    (
        f"/api/v1/returns/figures/?financial_year={FY}",
        Role.NHSE_REPORTING,
        5,
        lambda body: _region(body, "Y62")["allocated"],
        2 * 1000,
    ),
    # 23: four queries a region (api/returns_figures.py), for the seven regions.
    (f"/api/v1/returns/figures/icbs/?financial_year={FY}", Role.NHSE_REPORTING, 23, _results, 1 + 2),
    # 14: the figures by region are four queries a deadline, three deadlines (returns/targets.py).
    (
        f"/api/v1/returns/targets/?financial_year={FY}",
        Role.NHSE_REPORTING,
        14,
        lambda body: _region(body, "Y62", deadline=1, measure="committed")["status"] != "no_allocation",
        True,
    ),
    (f"/api/v1/returns/allocations/?financial_year={FY}", Role.NHSE_REPORTING, 2, _results, 2),
]


@pytest.mark.parametrize(("url", "role", "budget", "shown", "rows"), API)
def test_api_list(client, world, more, django_assert_max_num_queries, url, role, budget, shown, rows):
    response = assert_flat(client, url, budget, more, django_assert_max_num_queries, **_token(world["users"][role]))
    assert shown(response.json()) == rows
