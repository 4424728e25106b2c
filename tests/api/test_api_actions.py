import pytest

from core.roles import Role
from forwardplans import services
from forwardplans.models import Action, ProgressEntry, RagChange

from ..api_support import Api, api_for, error_of, fresh_throttle_cache  # noqa: F401
from ..cases import advance, with_documents
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/actions/"


def url(action):
    return f"{ACTIONS}{action.pk}/"


WRITERS = [Role.PRACTICE_USER, Role.PRACTICE_LEAD, Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADMIN]
HIDDEN = [Role.NHSE_REPORTING, Role.COMMISSIONER_LEAD, Role.COMMISSIONER_PEER_SUPPORT]  # before consent


@pytest.mark.parametrize("role", WRITERS)
def test_practice_and_rcgp_team_list_and_read_actions(client, docs, role):
    api = api_for(client, docs, role)
    rows = api.get(ACTIONS, {"contract": "DOC-1"}).json()["results"]
    action = docs["action"]
    assert rows == [{
        "id": action.pk, "contract": "DOC-1", "practice": docs["contract"].practice.ods_code, "key_question": "safe",
        "other_key_questions": [], "regulations": ["Regulation 12: Safe care and treatment"], "regulation_other": "",
        "regulation": "Regulation 12: Safe care and treatment", "root_causes": [], "planned_completion": "2026-12-31",
        "priority": 10, "rag_status": "red", "version": 1, "updated_at": rows[0]["updated_at"],
    }]
    response = api.get(url(action))
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert response.json()["version"] == 1
    assert ACTION_FIELDS["problem"] not in response.content.decode()


@pytest.mark.parametrize("role", HIDDEN)
def test_nhse_and_commissioners_without_consent_see_no_action(client, docs, role):
    api = api_for(client, docs, role)
    assert api.get(ACTIONS, {"contract": "DOC-1"}).json()["results"] == []
    assert error_of(api.get(url(docs["action"])), 404)["code"] == "not_found"
    response = api.patch(url(docs["action"]), {"rag_status": "amber", "progress_note": "x"}, **{"If-Match": '"1"'})
    assert error_of(response, 404)["code"] == "not_found"


def test_another_practices_and_unassigned_advisers_actions_are_hidden(client, docs):
    other = ContractFactory(reference="OTHER-1", practice=docs["contract"].practice.commissioner.practices.get(
        name="Sibling Practice"))
    plan = with_documents(other).forward_plan
    hidden = services.action_create(plan=plan, actor=docs["users"][Role.RCGP_ADMIN], **ACTION_FIELDS)
    for role in (Role.PRACTICE_USER, Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD):
        api = api_for(client, docs, role)
        assert [row["id"] for row in api.get(ACTIONS).json()["results"]] == [docs["action"].pk]
        assert error_of(api.get(url(hidden)), 404)
        assert error_of(api.patch(url(hidden), {"progress_note": "x"}, **{"If-Match": '"1"'}), 404)
    admin = api_for(client, docs, Role.RCGP_ADMIN)
    assert {row["id"] for row in admin.get(ACTIONS).json()["results"]} == {docs["action"].pk, hidden.pk}
    assert [row["id"] for row in admin.get(ACTIONS, {"contract": "OTHER-1"}).json()["results"]] == [hidden.pk]


def test_commissioner_after_consent_reads_but_may_not_write(client, docs):
    advance(docs["contract"], "review_meeting", docs["users"])
    api = api_for(client, docs, Role.COMMISSIONER_LEAD)
    assert api.get(url(docs["action"]))["ETag"] == '"1"'
    response = api.patch(url(docs["action"]), {"rag_status": "amber", "progress_note": "x"}, **{"If-Match": '"1"'})
    assert error_of(response, 403)["code"] == "permission_denied"
    assert Action.objects.get().version == 1 and not ProgressEntry.objects.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_update_with_the_etag_read(client, docs, role):
    api = api_for(client, docs, role)
    etag = api.get(url(docs["action"]))["ETag"]
    response = api.patch(url(docs["action"]), {"rag_status": "amber", "progress_note": "Searches built."},
                         **{"If-Match": etag})
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert response.json()["rag_status"] == "amber" and response.json()["version"] == 2
    change = RagChange.objects.get()
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        "red", "amber", docs["users"][role], "Searches built.")
    entry = ProgressEntry.objects.get()
    assert (entry.text, entry.by) == ("Searches built.", docs["users"][role])


def test_missing_if_match_is_428_and_nothing_is_saved(client, docs):
    api = api_for(client, docs, Role.PRACTICE_USER)
    response = api.patch(url(docs["action"]), {"rag_status": "amber", "progress_note": "Done"})
    assert error_of(response, 428)["code"] == "precondition_required"
    response = api.patch(url(docs["action"]), {"rag_status": "amber", "progress_note": "Done"}, **{"If-Match": "*"})
    assert error_of(response, 428)["code"] == "precondition_required"
    assert Action.objects.get().rag_status == "red" and not ProgressEntry.objects.exists()


def test_stale_if_match_is_412_and_nothing_is_lost(client, docs):
    practice, adviser = api_for(client, docs, Role.PRACTICE_USER), api_for(client, docs, Role.RCGP_ADVISER)
    etag = practice.get(url(docs["action"]))["ETag"]
    assert adviser.patch(url(docs["action"]), {"rag_status": "amber", "reason": "Under way"},
                         **{"If-Match": etag}).status_code == 200
    response = practice.patch(url(docs["action"]), {"rag_status": "green", "progress_note": "All done",
                                                    "evidence_justification": "Log in the folder"},
                              **{"If-Match": etag})
    error = error_of(response, 412)
    assert error["code"] == "precondition_failed" and response["ETag"] == '"2"'
    action = Action.objects.get()
    assert (action.rag_status, action.version) == ("amber", 2)  # the adviser's change stands
    assert not ProgressEntry.objects.exists() and RagChange.objects.count() == 1
    # Re-read, retry: accepted.
    assert practice.patch(url(docs["action"]), {"rag_status": "green", "progress_note": "All done",
                                                "evidence_justification": "Log in the folder"},
                          **{"If-Match": practice.get(url(docs["action"]))["ETag"]}).status_code == 200


def test_the_service_refuses_a_stale_version_the_api_passed_it(client, docs):
    """Two updates that both read version 1: the pages' and the API's one service, under the action's row lock,
    refuses the second, whether it changes the RAG status or only adds a note."""
    action = Action.objects.select_related("plan__contract").get()
    users = docs["users"]
    services.action_record_progress(action=Action.objects.select_related("plan__contract").get(),
                                    actor=users[Role.RCGP_ADVISER], base_version=1, rag_status="amber",
                                    reason="Under way")
    for kwargs in ({"rag_status": "green", "evidence_justification": "Log"}, {}):
        with pytest.raises(services.StaleEdit, match="Someone else changed this action"):
            services.action_record_progress(action=action, actor=users[Role.PRACTICE_USER], base_version=1,
                                            note="Late note", **kwargs)
    assert not ProgressEntry.objects.exists()
    assert Action.objects.get().version == 2


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', '"7", "1"'])
def test_if_match_forms(client, docs, if_match):
    response = api_for(client, docs, Role.PRACTICE_LEAD).patch(url(docs["action"]), {"progress_note": "Note"},
                                                               **{"If-Match": if_match})
    assert response.status_code == 200 and response["ETag"] == '"2"'  # a progress note is a new version too
    assert ProgressEntry.objects.get().text == "Note"


def test_unreadable_if_match_is_412(client, docs):
    response = api_for(client, docs, Role.PRACTICE_LEAD).patch(url(docs["action"]), {"progress_note": "Note"},
                                                               **{"If-Match": "version one"})
    assert error_of(response, 412)["code"] == "precondition_failed"


def test_green_without_evidence_needs_a_justification(client, docs):
    api = api_for(client, docs, Role.PRACTICE_LEAD)
    response = api.patch(url(docs["action"]), {"rag_status": "green", "progress_note": "Finished"},
                         **{"If-Match": '"1"'})
    error = error_of(response, 422)
    assert error["code"] == "rejected" and "Green means completed with evidence" in error["detail"]
    assert Action.objects.get().rag_status == "red" and not ProgressEntry.objects.exists()
    response = api.patch(url(docs["action"]), {"rag_status": "green", "reason": "Finished",
                                               "evidence_justification": "Recall log in the governance folder"},
                         **{"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["rag_status"] == "green"
    assert RagChange.objects.get().evidence_justification == "Recall log in the governance folder"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "non_field_errors"),
    ({"progress_note": "   "}, "non_field_errors"),
    ({"rag_status": "purple", "progress_note": "x"}, "rag_status"),
    ({"rag_status": "amber"}, "reason"),
    ({"progress_note": "x", "problem": "Rewritten"}, "problem"),
    ({"progress_note": "x", "version": 5}, "version"),
])
def test_invalid_bodies_answer_400_with_fields(client, docs, body, field):
    response = api_for(client, docs, Role.PRACTICE_LEAD).patch(url(docs["action"]), body, **{"If-Match": '"1"'})
    error = error_of(response, 400)
    assert error["code"] == "invalid" and field in error["fields"]
    assert Action.objects.get().version == 1


def test_patch_needs_json(client, docs):
    api = api_for(client, docs, Role.PRACTICE_LEAD)
    response = client.patch(url(docs["action"]), "progress_note=x", content_type="application/x-www-form-urlencoded",
                            headers=api.headers(**{"If-Match": '"1"'}))
    assert error_of(response, 415)["code"] == "unsupported_media_type"
    response = client.patch(url(docs["action"]), "{not json", content_type="application/json",
                            headers=api.headers(**{"If-Match": '"1"'}))
    assert error_of(response, 400)["code"] == "parse_error"


def test_same_status_with_a_note_only_adds_progress(client, docs):
    api = api_for(client, docs, Role.PRACTICE_USER)
    response = api.patch(url(docs["action"]), {"rag_status": "red", "progress_note": "Not started yet"},
                         **{"If-Match": '"1"'})
    assert response.status_code == 200 and response["ETag"] == '"2"'
    assert not RagChange.objects.exists() and ProgressEntry.objects.get().text == "Not started yet"
    stale = api.patch(url(docs["action"]), {"progress_note": "A second note from the old page"},
                      **{"If-Match": '"1"'})
    assert error_of(stale, 412)["code"] == "precondition_failed" and stale["ETag"] == '"2"'


@pytest.mark.parametrize("body", [{"rag_status": "red", "reason": "Still not started"},
                                  {"rag_status": "red", "reason": "Still not started", "progress_note": " "}])
def test_a_write_that_changes_nothing_is_refused_and_keeps_the_version(client, docs, body):
    response = api_for(client, docs, Role.PRACTICE_USER).patch(url(docs["action"]), body, **{"If-Match": '"1"'})
    error = error_of(response, 422)
    assert error["code"] == "rejected" and "Nothing to save: the action is already Red" in error["detail"]
    assert Action.objects.get().version == 1 and not ProgressEntry.objects.exists()


def test_put_and_delete_are_not_allowed(client, docs):
    api = api_for(client, docs, Role.RCGP_ADMIN)
    assert error_of(client.put(url(docs["action"]), "{}", content_type="application/json",
                               headers=api.headers(**{"If-Match": '"1"'})), 405)
    assert error_of(client.delete(url(docs["action"]), headers=api.headers()), 405)


def test_removed_adviser_loses_access(client, docs):
    api = api_for(client, docs, Role.RCGP_ADVISER)
    assert api.get(url(docs["action"])).status_code == 200
    docs["contract"].team_members.update(removed_at="2026-01-01T00:00:00Z")
    assert error_of(api.get(url(docs["action"])), 404)


def test_session_users_need_csrf_to_patch(docs):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(docs["users"][Role.PRACTICE_USER])
    response = Api(client).patch(url(docs["action"]), {"progress_note": "x"}, **{"If-Match": '"1"'})
    assert error_of(response, 403)["code"] == "permission_denied"
    assert "CSRF" in response.json()["error"]["detail"]
