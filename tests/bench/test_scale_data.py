"""generate_scale_data (bench/, installed in the test settings) on a tiny scale: every table filled, history rows
written, sequences moved on; ICBs with their sub-ICB locations; and the history factor, which adds years of ended
contracts without changing England or what is live."""

import contextlib
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F

from bench.scale_data import ENGLAND, RECENT_DAYS, ScaleData
from contracts.models import Contract, Referral
from contracts.workflow import BOARD_STATES
from core.models import Membership, User
from forwardplans.models import Action, Milestone, RagChange
from practices.access import practices_for
from practices.models import PCN, Commissioner, Inspection, Practice

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def test_a_small_england_with_its_history():
    out = io.StringIO()
    call_command("generate_scale_data", "--scale", "0.003", "--today", "2026-06-01", stdout=out)
    practices, contracts = Practice.objects.count(), Contract.objects.count()
    assert practices == 20 and contracts == 9
    # 2 ICBs, with 2 and 3 sub-ICB locations (England's 106 over 42, spread evenly).
    assert Commissioner.objects.filter(kind="icb").count() == 2 and Commissioner.objects.count() == 7
    assert Inspection.objects.count() == 4 * practices
    assert Action.objects.count() == 40 * contracts and Milestone.objects.count() == 3 * 40 * contracts
    # History as the services would have written it: a "+" row per action and a "~" row per RAG change.
    assert Action.history.filter(history_type="+").count() == Action.objects.count()
    assert Action.history.filter(history_type="~").count() == RagChange.objects.count() > 0
    assert Practice.history.count() == practices and Contract.history.filter(history_type="+").count() == contracts
    assert Commissioner.history.count() == 7
    # A user per role per organisation: a lead and peer support per ICB, a lead per sub-ICB location.
    assert User.objects.filter(role="practice_lead").count() == practices
    assert User.objects.filter(role="commissioner_lead").count() == 2 + 5
    assert User.objects.filter(role="commissioner_peer_support", commissioner__kind="icb").count() == 2
    # Each holds the membership they act in.
    assert Membership.objects.count() == User.objects.count()
    assert not Membership.objects.exclude(role=F("user__role")).exists()
    User.objects.create(username="after")  # the users' and memberships' sequences moved on too
    Membership.objects.create(user=User.objects.get(username="after"), role="nhse_reporting")
    # The sequences were moved past the copied ids: ordinary inserts work.
    Practice.objects.create(ods_code="Z99999", name="After", commissioner=Commissioner.objects.first())
    Commissioner.objects.create(ods_code="99Z", name="After", kind="sub_icb")
    assert "generated in" in out.getvalue()


class _Loader:
    """Takes the rows ScaleData would COPY, keeping them by table (no database)."""

    def __init__(self):
        self.rows = {}

    def copy(self, model, columns, rows):
        self.rows.setdefault(model._meta.db_table, []).extend(dict(zip(columns, row, strict=True)) for row in rows)


def test_englands_icbs_and_sub_icb_locations():
    """At England's size (organisations only, no database): 42 ICBs with 2 or 3 sub-ICB locations each, 106 in all,
    every practice under one, and each ICB with its share of the practices."""
    data = ScaleData(today=TODAY, log=lambda line: None)
    loader = _Loader()
    data.organisations(loader)
    commissioners = loader.rows["practices_commissioner"]
    icbs = [c for c in commissioners if c["kind"] == "icb"]
    subs = [c for c in commissioners if c["kind"] == "sub_icb"]
    assert len(icbs) == 42 and len(subs) == ENGLAND["sub_icbs"] == 106
    assert len({c["ods_code"] for c in commissioners}) == len(commissioners)
    assert all(len(c["ods_code"]) == 3 and c["ods_code"][:2].isdigit() for c in subs)
    by_id = {c["id"]: c for c in commissioners}
    children = {icb["id"]: [s for s in subs if s["parent_id"] == icb["id"]] for icb in icbs}
    assert {len(c) for c in children.values()} == {2, 3}
    assert all(by_id[s["parent_id"]]["kind"] == "icb" and by_id[s["parent_id"]]["region"] == s["region"]
               for s in subs)
    practices = loader.rows["practices_practice"]
    assert len(practices) == 6500 and all(by_id[p["commissioner_id"]]["kind"] == "sub_icb" for p in practices)
    per_icb = {}
    for p in practices:
        icb = by_id[p["commissioner_id"]]["parent_id"]
        per_icb[icb] = per_icb.get(icb, 0) + 1
    assert set(per_icb.values()) == {154, 155}  # 6,500 / 42, as when practices sat under the ICBs


def test_practices_sit_under_sub_icb_locations_and_the_icb_sees_them_all():
    ScaleData(scale=0.01, today=TODAY, log=lambda line: None).run()
    icbs = list(Commissioner.objects.filter(kind="icb"))
    assert icbs and all(c.parent_id is None for c in icbs)
    subs = Commissioner.objects.filter(kind="sub_icb")
    assert not subs.filter(parent__isnull=True).exists() and not subs.exclude(parent__kind="icb").exists()
    assert not subs.exclude(region=F("parent__region")).exists()
    assert set(Commissioner.objects.filter(kind="icb").annotate(n=Count("children")).values_list("n", flat=True)) <= {
        2, 3}
    # Practices, PCNs, referrals and contracts belong to a sub-ICB location: the practice's, as the services set it.
    assert not Practice.objects.exclude(commissioner__kind="sub_icb").exists()
    assert not PCN.objects.exclude(commissioner__kind="sub_icb").exists()
    assert not Contract.objects.exclude(commissioner=F("practice__commissioner")).exists()
    assert not Referral.objects.exclude(commissioner=F("practice__commissioner")).exists()
    # Commissioned by, and referrals assessed by, a lead of the practice's own sub-ICB location.
    assert not Contract.objects.exclude(commissioned_by__commissioner=F("commissioner")).exists()
    assert not Referral.objects.filter(assessed_by__isnull=False).exclude(
        assessed_by__commissioner=F("commissioner")).exists()
    for icb in icbs:
        # The ICB-level lead (commissioner_lead-<ICB code>, as before) sees every practice of its sub-ICB locations.
        lead = User.objects.get(username=f"commissioner_lead-{icb.ods_code}")
        assert lead.role == "commissioner_lead" and lead.commissioner == icb
        theirs = set(Practice.objects.filter(commissioner__parent=icb).values_list("pk", flat=True))
        assert theirs and set(practices_for(lead).values_list("pk", flat=True)) == theirs
        # Each sub-ICB location's lead sees its own practices only.
        for sub in icb.children.all():
            sub_lead = User.objects.get(username=f"subicb_commissioner_lead-{sub.ods_code}")
            assert sub_lead.role == "commissioner_lead" and sub_lead.commissioner == sub
            assert set(practices_for(sub_lead).values_list("pk", flat=True)) == set(
                sub.practices.values_list("pk", flat=True))


class _Rollback(Exception):
    pass


def _generate(history):
    """Generate at scale 0.02 with ``history``, note what the test compares, and roll it back."""
    noted = {}
    with contextlib.suppress(_Rollback), transaction.atomic():
        noted["counts"] = ScaleData(scale=0.02, today=TODAY, history=history, log=lambda line: None).run()
        noted["live"] = Contract.objects.filter(state__in=BOARD_STATES).count()
        noted["ended"] = Contract.objects.filter(ended_on__isnull=False).count()
        recent = Contract.objects.filter(commissioned_on__gte=TODAY - datetime.timedelta(days=RECENT_DAYS))
        noted["recent"] = sorted(recent.values_list("commissioned_on", "practice_id", "state", "programme", "value",
                                                    "deputy_lead_id"))
        raise _Rollback
    return noted


def test_the_history_factor_adds_ended_contracts_not_england_or_what_is_live():
    one, four = _generate(1), _generate(4)
    for table in ("contracts_contract", "forwardplans_forwardplan", "forwardplans_action", "forwardplans_milestone",
                  "forwardplans_diagnosticreport", "forwardplans_consenttoshare", "contracts_referral"):
        assert four["counts"][table] == 4 * one["counts"][table], table
    for table in ("forwardplans_ragchange", "forwardplans_historicalaction", "contracts_contracttransition",
                  "contracts_payment", "forwardplans_progressentry"):
        assert 3.5 * one["counts"][table] < four["counts"][table] < 4.5 * one["counts"][table], table
    # England stays England's size: organisations, inspections and people.
    for table in ("practices_commissioner", "practices_practice", "practices_pcn", "practices_inspection",
                  "resilience_user", "contracts_adviser"):
        assert four["counts"][table] == one["counts"][table], table
    # The last 18 months are the same contracts, so as many are live; the growth is all in ended ones.
    assert one["recent"] and four["recent"] == one["recent"]
    assert four["live"] == one["live"] > 0
    assert four["ended"] > 4 * one["ended"]


def test_the_same_options_give_the_same_rows():
    def rows():
        with contextlib.suppress(_Rollback), transaction.atomic():
            ScaleData(scale=0.003, today=TODAY, history=2, log=lambda line: None).run()
            noted = (list(Contract.objects.order_by("pk").values_list("practice_id", "state", "commissioned_on")),
                     list(RagChange.objects.order_by("pk").values_list("action_id", "to_status", "at")))
            raise _Rollback
        return noted

    assert rows() == rows()


def test_refuses_a_database_that_has_practices(world):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate_scale_data", "--scale", "0.003", stdout=io.StringIO())


def test_refuses_a_history_factor_of_nothing():
    with pytest.raises(CommandError, match="--history must be more than 0"):
        call_command("generate_scale_data", "--history", "0", stdout=io.StringIO())
