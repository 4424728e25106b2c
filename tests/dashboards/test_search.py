"""Search across practices, contracts and actions, scoped by the access policy (PostgreSQL full text)."""

import pytest
from django.urls import reverse

from core.roles import Role
from dashboards.search import search
from forwardplans import services

from ..cases import advance
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory

pytestmark = pytest.mark.django_db
R = Role


def found(user, text):
    results = search(user, text)
    return ({p.name for p in results["practices"]}, {c.reference for c in results["contracts"]},
            {a.action_planned for a in results["actions"]})


def test_practices_by_name_code_and_postcode_within_scope(world):
    own, other = world["practices"]["own"], world["practices"]["other"]
    own.postcode, other.postcode = "OL4 3BP", "OL4 3BQ"
    own.save()
    other.save()
    peer = world["users"][R.COMMISSIONER_PEER_SUPPORT]
    assert found(peer, "sibling practices")[0] == {"Sibling Practice"}  # stemmed: practices ~ practice
    assert found(peer, "practice")[0] == {"Own Practice", "Sibling Practice"}
    assert found(peer, own.ods_code.lower())[0] == {"Own Practice"}
    assert found(peer, "OL4 3B")[0] == {"Own Practice"}  # the other commissioner's practice stays hidden
    assert found(world["users"][R.RCGP_ADMIN], "OL4 3B")[0] == {"Own Practice", "Other Practice"}


def test_contracts_by_reference_within_scope(world):
    ContractFactory(reference="31A", practice=world["practices"]["own"])
    ContractFactory(reference="31B", practice=world["practices"]["other"])
    assert found(world["users"][R.COMMISSIONER_LEAD], "31")[1] == {"31A"}
    assert found(world["users"][R.PRACTICE_USER], "31")[1] == {"31A"}
    assert found(world["users"][R.RCGP_ADVISER], "31")[1] == set()


def test_actions_by_stemmed_text_and_only_after_consent_for_commissioners(world, docs):
    services.action_create(plan=docs["plan"], actor=world["users"][R.RCGP_ADVISER],
                           **dict(ACTION_FIELDS, action_planned="Recruit a salaried GP", problem="Vacancies",
                                  underlying_issue="Workload", evidence_needed="Contract signed",
                                  next_steps="Advertise"))
    practice_user, commissioner = world["users"][R.PRACTICE_USER], world["users"][R.COMMISSIONER_PEER_SUPPORT]
    assert found(practice_user, "recruiting")[2] == {"Recruit a salaried GP"}  # stemmed: recruiting ~ recruit
    assert found(practice_user, "recall")[2] == {"Set up a monthly recall"}
    assert found(commissioner, "recall")[2] == set()
    advance(docs["contract"], "review_meeting", world["users"])
    assert found(commissioner, "recall")[2] == {"Set up a monthly recall"}
    assert found(world["users"][R.NHSE_REPORTING], "recall")[2] == set()


def test_search_page_escapes_and_counts(client, world, docs):
    client.force_login(world["users"][R.PRACTICE_USER])
    html = client.get(reverse("search"), {"q": "<script>alert(1)</script>"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)</script>" not in html
    html = client.get(reverse("search"), {"q": "monthly recall"}).content.decode()
    assert "1 result for" in html and "Set up a monthly recall" in html


def test_the_full_text_searches_use_their_indexes(world, docs):
    """Searching all England's actions took seconds without an index. The GIN indexes of the migrations
    (forwardplans 0005, practices 0004) hold the very expressions dashboards.search builds: if one side changes and
    not the other, PostgreSQL can no longer use the index, and this test fails."""
    from django.db import connection

    from dashboards.search import ACTION_TEXT, _matching
    from forwardplans import access as document_access
    from practices.models import Practice

    admin = world["users"][R.RCGP_ADMIN]
    searches = {"action_search_idx": _matching(document_access.actions_for(admin), ACTION_TEXT, "recall"),
                "practice_search_idx": _matching(Practice.objects.all(), ["name"], "sibling")}
    with connection.cursor() as cursor:
        # The test tables are tiny and their statistics vary with the tests before: leave bitmap scans the only
        # cheap way in, so the plan shows whether the full-text index can be used at all.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
                       "SET LOCAL enable_indexonlyscan = off")
        for index, queryset in searches.items():
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Bitmap Index Scan on {index}" in plan, plan
    assert found(world["users"][R.RCGP_ADMIN], "recall")[2] == {"Set up a monthly recall"}


def test_people_named_on_actions_in_words_or_as_the_lead_user(world, docs):
    users, action = world["users"], docs["action"]
    lead = users[R.PRACTICE_LEAD]
    lead.first_name, lead.last_name = "Asha", "Okafor"
    lead.save(update_fields=["first_name", "last_name"])
    second = services.action_create(plan=docs["plan"], actor=users[R.RCGP_ADVISER],
                                    **dict(ACTION_FIELDS, action_planned="Audit the recall", lead_person=""))
    second.lead_user = lead
    second.save(update_fields=["lead_user"])
    practice_user, commissioner = users[R.PRACTICE_USER], users[R.COMMISSIONER_PEER_SUPPORT]

    def people(user, text):
        return {a.pk for a in search(user, text)["people"]}

    assert people(practice_user, "lead nurse") == {action.pk}  # the lead written in words
    assert people(practice_user, "okafor") == {second.pk}  # the lead user's name
    assert people(practice_user, "Asha Okafor") == {second.pk}
    assert people(commissioner, "okafor") == set()  # not shared with the commissioner yet
    advance(docs["contract"], "review_meeting", users)
    assert people(commissioner, "okafor") == {second.pk}
    assert people(users[R.NHSE_REPORTING], "lead nurse") == set()


def test_a_practice_name_or_code_finds_its_contracts_with_their_documents(client, world, docs):
    users = world["users"]
    own = world["practices"]["own"]
    ContractFactory(reference="FAR-1", practice=world["practices"]["other_sibling"])
    for text in ("own practice", own.ods_code):
        assert found(users[R.RCGP_ADVISER], text)[1] == {"DOC-1"}, text  # on the team
        assert found(users[R.COMMISSIONER_LEAD], text)[1] == {"DOC-1"}, text
        assert found(users[R.PRACTICE_USER], text)[1] == {"DOC-1"}, text
    assert found(users[R.COMMISSIONER_LEAD], "far practice")[1] == set()  # the other commissioner's
    assert found(users[R.RCGP_ADMIN], "far practice")[1] == {"FAR-1"}
    results = search(users[R.COMMISSIONER_LEAD], own.ods_code)
    assert results["documents"] == {docs["contract"].pk: {"report": False, "plan": False}}  # no consent yet
    advance(docs["contract"], "review_meeting", users)
    results = search(users[R.COMMISSIONER_LEAD], own.ods_code)
    assert results["documents"] == {docs["contract"].pk: {"report": True, "plan": True}}
    # The search page links to them (the practice page lists them too: test_practice_support.py).
    client.force_login(users[R.COMMISSIONER_LEAD])
    html = client.get(reverse("search"), {"q": own.ods_code}).content.decode()
    for url in (reverse("contracts:detail", args=["DOC-1"]), reverse("forwardplans:plan", args=["DOC-1"]),
                reverse("forwardplans:report", args=["DOC-1"])):
        assert f'href="{url}"' in html
