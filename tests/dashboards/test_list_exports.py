"""CSV/XLSX downloads of the browser's lists: same filters and scope as the page, formulas neutralised."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from core.roles import Role
from forwardplans import services

from ..docs import ACTION_FIELDS
from ..factories import ContractFactory, InspectionFactory, ReferralFactory

pytestmark = pytest.mark.django_db
R = Role


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_practices_csv_follows_filters_and_scope(client, world):
    InspectionFactory(practice=world["practices"]["own"], overall_rating="inadequate")
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    rows = csv_rows(client.get(reverse("practices:list"), {"format": "csv"}))
    assert rows[0][:3] == ["ODS code", "Practice", "Postcode"]
    assert sorted(r[1] for r in rows[1:]) == ["Own Practice", "Sibling Practice"]  # not the other commissioner's
    sm = csv_rows(client.get(reverse("practices:list"), {"format": "csv", "special_measures": "yes"}))
    assert [(r[1], r[6], r[-2]) for r in sm[1:]] == [("Own Practice", "inadequate", "yes")]


def test_contracts_xlsx_has_no_free_text(client, world):
    ContractFactory(reference="31", practice=world["practices"]["own"], notes="Partners not speaking")
    ContractFactory(reference="40", practice=world["practices"]["other"])
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    response = client.get(reverse("contracts:list"), {"format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="contracts.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in values[1:]] == ["31"]
    assert not any("Partners not speaking" in str(v) for row in values for v in row)


def test_referrals_csv(client, world):
    ReferralFactory(practice=world["practices"]["own"])
    ReferralFactory(practice=world["practices"]["other"])
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    rows = csv_rows(client.get(reverse("referrals:list"), {"format": "csv"}))
    assert [r[2] for r in rows[1:]] == ["Own Practice"]


def test_plan_actions_export_neutralises_formulas_and_follows_consent(client, world, docs):
    services.action_create(plan=docs["plan"], actor=world["users"][R.RCGP_ADVISER],
                           **dict(ACTION_FIELDS, action_planned="=HYPERLINK(\"http://evil\")"))
    client.force_login(world["users"][R.PRACTICE_USER])
    rows = csv_rows(client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": "csv"}))
    planned = [r[4] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in planned and "Set up a monthly recall" in planned
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    assert client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": "csv"}).status_code == 404
