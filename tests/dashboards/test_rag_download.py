"""The home pages' "actions by RAG status, per commissioner", downloaded: the same counts as the page's table."""

import csv
import io

import openpyxl
import pytest

from core.roles import Role

from ..cases import advance

pytestmark = pytest.mark.django_db


def _get(client, user, fmt):
    client.force_login(user)
    return client.get(f"/reports/rag-by-commissioner/?format={fmt}")


def test_a_commissioner_downloads_the_rag_counts_of_shared_plans(client, world, docs):
    from dashboards import charts
    from forwardplans import access

    advance(docs["contract"], "review_meeting", world["users"])  # the plan is shared from here
    user = docs["users"][Role.COMMISSIONER_PEER_SUPPORT]
    expected = charts.rag_by_commissioner(access.actions_for(user))  # every shared plan is a live contract's here
    assert expected and sum(sum(counts) for _label, counts in expected) > 0

    response = _get(client, user, "csv")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Commissioner", "Red", "Amber", "Green", "Total"]
    assert rows[1:] == [[label, *map(str, counts), str(sum(counts))] for label, counts in expected]

    sheet = openpyxl.load_workbook(io.BytesIO(_get(client, user, "xlsx").content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1:] == [(label, *counts, sum(counts)) for label, counts in expected]  # numbers, not text


@pytest.mark.parametrize("role", [Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADMIN, Role.PRACTICE_LEAD,
                                  Role.PRACTICE_USER])
def test_roles_whose_home_shows_no_rag_chart_get_404(client, docs, role):
    assert _get(client, docs["users"][role], "csv").status_code == 404


def test_an_ended_contracts_plan_leaves_the_commissioners_rag_counts(client, world, docs):
    advance(docs["contract"], "review_meeting", world["users"])
    user = docs["users"][Role.COMMISSIONER_PEER_SUPPORT]
    assert len(list(csv.reader(io.StringIO(_get(client, user, "csv").content.decode("utf-8-sig"))))) == 2
    docs["contract"].__class__.objects.filter(pk=docs["contract"].pk).update(state="closed")
    # Where its RAG statuses stopped is history: the home page's figures are the live contracts'.
    assert list(csv.reader(io.StringIO(_get(client, user, "csv").content.decode("utf-8-sig")))) == [
        ["Commissioner", "Red", "Amber", "Green", "Total"]]
