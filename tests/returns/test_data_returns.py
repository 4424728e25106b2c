"""The regions' data returns (returns/builder.py, returns/return_services.py): what a return holds, submitting it
frozen, resubmitting with a reason, refusing one with a missing MoU, its pages, downloads and API."""

import copy
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements.models import Agreement
from contracts.models import Contract, Payment
from core.errors import DomainError, NotAllowed, StaleEdit
from core.roles import Role
from evaluation.models import CaseStudy
from returns.builder import return_build
from returns.models import Allocation, DataReturn
from returns.return_services import data_return_submit
from returns.targets import deadlines_ensure
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
YEAR = 2026


def _case_study(contract, title, *, naming="named", status="final", on=datetime.date(2026, 9, 1),
                category="coaching"):
    return CaseStudy.objects.create(contract=contract, support_category=category, naming=naming, title=title,
                                    summary="S", what_worked="W", what_did_not="D", status=status, created_on=on)


def _payment(contract, amount, invoiced_on, *, paid_on=None):
    return Payment.objects.create(contract=contract, funder="nhse", amount=Decimal(amount), invoiced_on=invoiced_on,
                                  paid_on=paid_on)


def records(world):
    """The North West (Y62, the world's own region) and North East and Yorkshire (Y63) in 2026-27:

    North West: allocation £100,000; contract NW-1 (£10,000, MoU signed 1 June, £4,000 paid 1 July, an invoice of
    £1,000 unpaid), NW-2 (£5,000, agreement drafted, not signed), NW-3 (£3,000, no agreement at all), an enquiry
    (not support) and a contract commissioned the year before (not this year's support); two final case studies
    (one anonymised) and a draft. North East and Yorkshire: allocation £50,000; NE-1 (£8,000, signed 20 May, paid
    in full 1 August), one final case study."""
    own, sibling, other = (world["practices"][key] for key in ("own", "own_sibling", "other"))
    Allocation.objects.create(financial_year=YEAR, region="Y62", amount=Decimal("100000.00"))
    Allocation.objects.create(financial_year=YEAR, region="Y63", amount=Decimal("50000.00"))
    nw1 = ContractFactory(reference="NW-1", practice=own, programme="resilience", categories=["coaching", "workforce"],
                          commissioned_on=datetime.date(2026, 5, 1), value=Decimal("10000.00"),
                          mou_signed_on=datetime.date(2026, 6, 1))
    nw2 = ContractFactory(reference="NW-2", practice=sibling, commissioned_on=datetime.date(2026, 6, 15),
                          value=Decimal("5000.00"), categories=["diagnostic"])
    nw3 = ContractFactory(reference="NW-3", practice=own, commissioned_on=datetime.date(2026, 7, 1),
                          value=Decimal("3000.00"))
    ContractFactory(reference="NW-ENQ", practice=own, state="enquiry", commissioned_on=datetime.date(2026, 8, 1),
                    value=Decimal("999.00"))
    ContractFactory(reference="NW-OLD", practice=own, commissioned_on=datetime.date(2026, 3, 1),
                    value=Decimal("777.00"))
    Agreement.objects.create(contract=nw2, drafted_on=datetime.date(2026, 7, 1))
    _payment(nw1, "4000.00", datetime.date(2026, 6, 20), paid_on=datetime.date(2026, 7, 1))
    _payment(nw1, "1000.00", datetime.date(2026, 8, 1))
    _case_study(nw1, "Rebuilding the rota")
    _case_study(nw1, "A quiet turnaround", naming="anonymised", on=datetime.date(2026, 10, 1),
                category="workforce")
    _case_study(nw1, "Draft only", status="draft")
    ne1 = ContractFactory(reference="NE-1", practice=other, commissioned_on=datetime.date(2026, 5, 1),
                          value=Decimal("8000.00"), mou_signed_on=datetime.date(2026, 5, 20))
    _payment(ne1, "8000.00", datetime.date(2026, 7, 1), paid_on=datetime.date(2026, 8, 1))
    _case_study(ne1, "Far and away", on=datetime.date(2026, 8, 15))
    return {"nw1": nw1, "nw2": nw2, "nw3": nw3, "ne1": ne1}


def first_deadline():
    return deadlines_ensure(YEAR)[0]


def national(world):
    return world["users"][Role.NHSE_REPORTING]


def regional(world):
    return world["users"][Role.NHSE_REGIONAL]


NW_SUMMARY = {"allocated": "100000.00", "committed": "10000.00", "spent": "4000.00", "forecast": "10000.00",
              "supported": 3, "mous_missing": 2, "case_studies": 2, "committed_percent": 10, "spent_percent": 4,
              "allocation_entered": True}


def nw_practices(world):
    own, sibling = world["practices"]["own"], world["practices"]["own_sibling"]
    icb = world["own"].label
    common = {"icb_code": world["own"].ods_code, "icb": icb}
    return [
        {"contract": "NW-1", "practice_code": own.ods_code, "practice_name": "Own Practice", **common,
         "programme": "Resilience programme",
         "support_categories": ["Coaching, supervision and mentorship", "Coordinated support for workforce issues"],
         "commissioned_on": "2026-05-01", "value": "10000.00", "committed": "10000.00", "paid": "4000.00",
         "mou_status": "signed", "mou": "Signed on 1 June 2026", "mou_signed_on": "2026-06-01"},
        {"contract": "NW-2", "practice_code": sibling.ods_code, "practice_name": "Sibling Practice", **common,
         "programme": "Special measures support", "support_categories": ["Diagnostic services"],
         "commissioned_on": "2026-06-15", "value": "5000.00", "committed": "0.00", "paid": "0.00",
         "mou_status": "awaiting_signatures", "mou": "Awaiting signatures", "mou_signed_on": None},
        {"contract": "NW-3", "practice_code": own.ods_code, "practice_name": "Own Practice", **common,
         "programme": "Special measures support", "support_categories": [],
         "commissioned_on": "2026-07-01", "value": "3000.00", "committed": "0.00", "paid": "0.00",
         "mou_status": "missing", "mou": "Missing", "mou_signed_on": None},
    ]


NW_CASE_STUDIES = [
    {"title": "Rebuilding the rota", "support_category": "Coaching, supervision and mentorship",
     "practice": "Own Practice", "written_on": "2026-09-01"},
    {"title": "A quiet turnaround", "support_category": "Coordinated support for workforce issues",
     "practice": "Anonymised", "written_on": "2026-10-01"},
]


def test_a_return_holds_the_regions_whole_record_for_the_year(world):
    records(world)
    deadline = first_deadline()
    now = timezone.now()
    content = return_build(region="Y62", deadline=deadline, now=now)
    assert content["region"] == {"code": "Y62", "name": "North West"}
    assert content["deadline"] == {"financial_year": 2026, "label": "2026-27", "number": 1,
                                   "due_at": deadline.due_at.isoformat()}
    assert content["built_at"] == now.isoformat()
    assert content["summary"] == NW_SUMMARY
    assert content["practices"] == nw_practices(world)
    assert content["case_studies"] == NW_CASE_STUDIES
    # The first deadline (5 October) has passed: 10% committed of 100% and two MoUs missing are both missed.
    assert [(t["measure"], t["status"]) for t in content["targets"]] == [("committed", "missed"), ("mous", "missed")]


def test_a_return_with_a_contract_that_has_no_mou_at_all_is_refused_naming_it_and_nothing_is_saved(world):
    records(world)
    with pytest.raises(DomainError) as refused:
        data_return_submit(region="Y62", deadline=first_deadline(), actor=regional(world))
    assert "contract NW-3" in str(refused.value) and "no MoU" in str(refused.value)
    assert not DataReturn.objects.exists()


def _ready(world):
    """The records, with an agreement drafted for NW-3 so that every supported contract has an MoU status."""
    found = records(world)
    Agreement.objects.create(contract=found["nw3"], drafted_on=datetime.date(2026, 7, 2))
    return found


def test_a_submitted_return_does_not_change_when_the_records_change_afterwards(world):
    found = _ready(world)
    submitted = data_return_submit(region="Y62", deadline=first_deadline(), actor=regional(world))
    frozen = copy.deepcopy(submitted.content)
    assert frozen["summary"] == NW_SUMMARY
    assert frozen["practices"][2]["mou"] == "Awaiting signatures"
    # Everything a return reads changes: contracts, payments, agreements, case studies, the allocation.
    Contract.objects.filter(pk=found["nw1"].pk).update(value=Decimal("12000.00"), categories=["other"])
    Contract.objects.filter(pk=found["nw2"].pk).update(mou_signed_on=datetime.date(2026, 11, 1))
    Payment.objects.filter(contract=found["nw1"], paid_on__isnull=True).update(paid_on=datetime.date(2026, 11, 2))
    Agreement.objects.filter(contract=found["nw3"]).delete()
    CaseStudy.objects.filter(title="Rebuilding the rota").update(naming="anonymised", title="Renamed")
    _case_study(found["nw2"], "A new one")
    Allocation.objects.filter(region="Y62").update(amount=Decimal("90000.00"))
    ContractFactory(reference="NW-4", practice=world["practices"]["own"], commissioned_on=datetime.date(2026, 11, 1))
    submitted.refresh_from_db()
    assert submitted.content == frozen
    now = return_build(region="Y62", deadline=first_deadline())
    assert now["summary"] != frozen["summary"] and now["practices"] != frozen["practices"]
    assert now["case_studies"] != frozen["case_studies"]


def test_a_resubmission_needs_a_reason_and_keeps_both_versions(world):
    _ready(world)
    deadline = first_deadline()
    first = data_return_submit(region="Y62", deadline=deadline, actor=regional(world))
    assert (first.number, first.reason) == (1, "")
    with pytest.raises(DomainError, match="Enter the reason for resubmitting"):
        data_return_submit(region="Y62", deadline=deadline, actor=regional(world), base_number=1)
    assert DataReturn.objects.count() == 1
    Payment.objects.filter(paid_on__isnull=True).update(paid_on=datetime.date(2026, 9, 1))
    second = data_return_submit(region="Y62", deadline=deadline, actor=regional(world), base_number=1,
                                reason="The August invoice was paid.")
    assert (second.number, second.reason) == (2, "The August invoice was paid.")
    first.refresh_from_db()
    assert first.content["summary"]["spent"] == "4000.00" and second.content["summary"]["spent"] == "5000.00"
    assert list(DataReturn.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_submission_made_meanwhile_makes_the_page_stale(world):
    _ready(world)
    deadline = first_deadline()
    data_return_submit(region="Y62", deadline=deadline, actor=national(world))
    with pytest.raises(StaleEdit):
        data_return_submit(region="Y62", deadline=deadline, actor=regional(world), base_number=0, reason="x")
    assert DataReturn.objects.count() == 1


def test_who_may_submit_a_region_return(world):
    _ready(world)
    deadline = first_deadline()
    for role in (Role.RCGP_ADMIN, Role.COMMISSIONER_LEAD, Role.PRACTICE_LEAD):
        with pytest.raises(NotAllowed):
            data_return_submit(region="Y62", deadline=deadline, actor=world["users"][role])
    with pytest.raises(NotAllowed):  # a regional team submits its own region's only
        data_return_submit(region="Y63", deadline=deadline, actor=regional(world))
    assert data_return_submit(region="Y63", deadline=deadline, actor=national(world)).number == 1
    assert not DataReturn.objects.filter(region="Y62").exists()


def test_an_unsaved_default_deadline_is_saved_by_the_first_submission(world):
    _ready(world)
    from returns.targets import default_deadlines

    submitted = data_return_submit(region="Y62", deadline=default_deadlines(YEAR)[1], actor=regional(world))
    assert submitted.deadline.pk and submitted.deadline.number == 2


# Pages -------------------------------------------------------------------------------------------------------------

def _page(world):
    return reverse("returns:region_return", kwargs={"year": YEAR, "number": 1, "region": "Y62"})


def test_the_region_page_shows_the_draft_and_submits_it(client, world):
    _ready(world)
    client.force_login(regional(world))
    page = client.get(_page(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Draft: not submitted" in html and "NW-2" in html and "A quiet turnaround" in html
    assert "Submit the return" in html and "No return has been submitted" in html
    response = client.post(_page(world), {"version": "0"})
    submitted = DataReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("returns:data_return",
                                                                           kwargs={"pk": submitted.pk})
    # A resubmission without a reason: the field is named, nothing is saved.
    response = client.post(_page(world), {"version": "1", "reason": ""})
    assert response.status_code == 422 and "Enter the reason for resubmitting" in response.content.decode()
    assert DataReturn.objects.count() == 1
    response = client.post(_page(world), {"version": "1", "reason": "Corrected a payment."})
    assert response.status_code == 302 and DataReturn.objects.count() == 2
    html = client.get(_page(world)).content.decode()
    assert "Resubmit the return" in html and "Corrected a payment." in html


def test_a_missing_mou_refuses_the_page_submission_with_the_contract_named(client, world):
    records(world)
    client.force_login(regional(world))
    response = client.post(_page(world), {"version": "0"})
    assert response.status_code == 422 and "contract NW-3" in response.content.decode()
    assert not DataReturn.objects.exists()


def test_rcgp_admin_reads_the_draft_without_a_form_and_is_refused_a_submission(client, world):
    _ready(world)
    client.force_login(world["users"][Role.RCGP_ADMIN])
    html = client.get(_page(world)).content.decode()
    assert "Draft: not submitted" in html and "Submit the return" not in html
    assert client.post(_page(world), {"version": "0"}).status_code == 403
    assert not DataReturn.objects.exists()


def test_the_year_page_lists_the_latest_returns(client, world, django_assert_max_num_queries):
    _ready(world)
    deadline = first_deadline()
    data_return_submit(region="Y62", deadline=deadline, actor=regional(world))
    data_return_submit(region="Y62", deadline=deadline, actor=regional(world), reason="Again")
    for number in (2, 3):  # more returns do not add queries
        data_return_submit(region="Y63", deadline=deadlines_ensure(YEAR)[number - 1], actor=national(world))
    client.force_login(national(world))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("returns:returns_year", kwargs={"year": YEAR}))
    html = page.content.decode()
    assert page.status_code == 200
    row = html.split('id="return-1-Y62"')[1].split("</tr>")[0]
    assert "Return 2" in row and "(resubmitted)" in row
    assert "Not submitted" in html.split('id="return-1-Y63"')[1].split("</tr>")[0]
    assert "England&#39;s roll-up for deadline 1" in html or "England's roll-up for deadline 1" in html
    client.force_login(regional(world))  # a regional team: its own region only
    html = client.get(reverse("returns:returns_year", kwargs={"year": YEAR})).content.decode()
    assert 'id="return-1-Y62"' in html and 'id="return-1-Y63"' not in html and "roll-up" not in html


def test_the_submitted_page_shows_the_frozen_copy_and_every_version(client, world):
    found = _ready(world)
    first = data_return_submit(region="Y62", deadline=first_deadline(), actor=regional(world))
    Contract.objects.filter(pk=found["nw1"].pk).update(reference="NW-1-RENAMED")
    second = data_return_submit(region="Y62", deadline=first_deadline(), actor=regional(world), reason="Renamed")
    client.force_login(regional(world))
    html = client.get(reverse("returns:data_return", kwargs={"pk": first.pk})).content.decode()
    assert "NW-1" in html and "NW-1-RENAMED" not in html and "Return 1 (this one)" in html and "Renamed" in html
    html = client.get(reverse("returns:data_return", kwargs={"pk": second.pk})).content.decode()
    assert "NW-1-RENAMED" in html
    client.force_login(UserFactory(role=Role.NHSE_REGIONAL, region="Y63"))
    assert client.get(reverse("returns:data_return", kwargs={"pk": first.pk})).status_code == 404


def _when(value):
    return timezone.localtime(value).replace(tzinfo=None)


def _close(got, want):
    return isinstance(got, datetime.datetime) and abs(got - want) < datetime.timedelta(seconds=1)


def test_the_xlsx_of_a_submitted_return_matches_it_cell_by_cell(client, world):
    _ready(world)
    deadline = first_deadline()
    user = regional(world)
    user.first_name, user.last_name = "Nora", "West"
    user.save()
    data_return = data_return_submit(region="Y62", deadline=deadline, actor=user)
    client.force_login(national(world))
    response = client.get(reverse("returns:data_return_download", kwargs={"pk": data_return.pk, "fmt": "xlsx"}))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Practices", "Case studies"]
    summary = [tuple(row) for row in book["Summary"].iter_rows(values_only=True)]
    built = datetime.datetime.fromisoformat(data_return.content["built_at"])
    expected = [("Region", "North West"), ("Region code", "Y62"), ("Financial year", "2026-27"), ("Deadline", 1),
                ("Due", datetime.datetime(2026, 10, 5, 17, 0)), ("Return", 1),
                ("Submitted at", _when(data_return.submitted_at)), ("Submitted by", "Nora West"),
                ("Built from the records at", _when(built)),
                ("Allocated (£)", 100000), ("Committed (£)", 10000), ("Spent (£)", 4000), ("Forecast (£)", 10000),
                ("Committed (% of allocation)", 10), ("Spent (% of allocation)", 4), ("Practices supported", 3),
                ("MoUs missing", 2), ("Case studies", 2), ("Target: 100% committed", "Missed"),
                ("Target: All MoUs agreed", "Missed")]
    assert len(summary) == len(expected)
    for got, want in zip(summary, expected, strict=True):
        assert got[0] == want[0]
        assert _close(got[1], want[1]) if isinstance(want[1], datetime.datetime) else got[1] == want[1], (got, want)
    own, sibling = world["practices"]["own"], world["practices"]["own_sibling"]
    icb = world["own"].label
    practices = [tuple(row) for row in book["Practices"].iter_rows(values_only=True)]
    assert practices == [
        ("Contract", "Practice ODS code", "Practice", "ICB", "Programme", "Support categories", "Commissioned on",
         "Value (£)", "Committed in the year (£)", "Paid in the year (£)", "MoU status", "MoU signed on"),
        ("NW-1", own.ods_code, "Own Practice", icb, "Resilience programme",
         "Coaching, supervision and mentorship; Coordinated support for workforce issues",
         datetime.datetime(2026, 5, 1), 10000, 10000, 4000, "Signed on 1 June 2026", datetime.datetime(2026, 6, 1)),
        ("NW-2", sibling.ods_code, "Sibling Practice", icb, "Special measures support", "Diagnostic services",
         datetime.datetime(2026, 6, 15), 5000, 0, 0, "Awaiting signatures", None),
        ("NW-3", own.ods_code, "Own Practice", icb, "Special measures support", None,
         datetime.datetime(2026, 7, 1), 3000, 0, 0, "Awaiting signatures", None),
    ]
    assert [tuple(row) for row in book["Case studies"].iter_rows(values_only=True)] == [
        ("Title", "Support category", "Practice", "Written on"),
        ("Rebuilding the rota", "Coaching, supervision and mentorship", "Own Practice", datetime.datetime(2026, 9, 1)),
        ("A quiet turnaround", "Coordinated support for workforce issues", "Anonymised",
         datetime.datetime(2026, 10, 1)),
    ]


def test_the_csv_of_a_submitted_return_has_its_summary_then_its_practices_then_its_case_studies(client, world):
    _ready(world)
    data_return = data_return_submit(region="Y62", deadline=first_deadline(), actor=regional(world))
    client.force_login(regional(world))
    response = client.get(reverse("returns:data_return_download", kwargs={"pk": data_return.pk, "fmt": "csv"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Summary" and lines[1] == "Region,North West"
    assert "Allocated (£),100000.00" in lines
    practices = lines.index("Practices")
    assert lines[practices - 1] == "" and lines[practices + 1].startswith("Contract,Practice ODS code,")
    assert lines[practices + 2].startswith("NW-1,")
    assert lines[lines.index("Case studies") + 2].startswith("Rebuilding the rota,")
    assert client.get(reverse("returns:data_return_download", kwargs={"pk": data_return.pk, "fmt": "pdf"})
                      ).status_code == 404


# API ---------------------------------------------------------------------------------------------------------------

def test_the_api_lists_returns_with_their_summary_filtered_and_scoped(client, world, django_assert_max_num_queries):
    _ready(world)
    deadline = first_deadline()
    one = data_return_submit(region="Y62", deadline=deadline, actor=regional(world))
    two = data_return_submit(region="Y62", deadline=deadline, actor=regional(world), reason="Again")
    far = data_return_submit(region="Y63", deadline=deadline, actor=national(world))
    later = data_return_submit(region="Y63", deadline=deadlines_ensure(YEAR)[1], actor=national(world))
    url = reverse("api:data-return-list")
    client.force_login(national(world))
    with django_assert_max_num_queries(6):
        body = client.get(url).json()
    assert [row["id"] for row in body["results"]] == [later.pk, far.pk, two.pk, one.pk]
    row = body["results"][2]
    assert {key: row[key] for key in ("region", "financial_year", "deadline", "number", "reason")} == {
        "region": "Y62", "financial_year": 2026, "deadline": 1, "number": 2, "reason": "Again"}
    assert row["summary"]["allocated"] == 100000.0 and row["summary"]["mous_missing"] == 2
    assert "content" not in row
    ids = [r["id"] for r in client.get(url, {"financial_year": 2026, "number": 1, "region": "Y63"}).json()["results"]]
    assert ids == [far.pk]
    client.force_login(regional(world))
    assert [r["id"] for r in client.get(url).json()["results"]] == [two.pk, one.pk]
    assert client.get(reverse("api:data-return-detail", args=[far.pk])).status_code == 404
    detail = client.get(reverse("api:data-return-detail", args=[one.pk])).json()
    assert detail["content"] == DataReturn.objects.get(pk=one.pk).content
    csv = client.get(url, {"format": "csv"})
    assert csv.status_code == 200 and "summary.allocated" in csv.content.decode("utf-8-sig").splitlines()[0]
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    assert client.get(url).json()["results"] == []


def test_the_demo_submits_and_resubmits_one_return_once(world):
    from demo.data_returns import REASON, seed_data_returns

    _ready(world)
    seed_data_returns(log=lambda text: None)
    seed_data_returns(log=lambda text: None)  # twice: nothing added the second time
    returns = list(DataReturn.objects.order_by("number"))
    assert [(r.region, r.deadline.number, r.number, r.reason) for r in returns] == [
        ("Y62", 1, 1, ""), ("Y62", 1, 2, REASON)]
    assert returns[0].submitted_by == regional(world)
