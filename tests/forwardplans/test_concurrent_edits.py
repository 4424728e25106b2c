"""Two people saving the same action or report at the same moment, against PostgreSQL.

Each save runs in its own thread with its own database connection; a barrier releases them
together. Exactly one save wins; the other is refused with what changed, and nothing is lost.
"""

import threading

import pytest
from django.db import connection

from core.roles import Role
from forwardplans import services
from forwardplans.models import Action, DiagnosticReport, RagChange

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run each call in its own thread, released at once; return [(result or None, error or None)]."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = (call(), None)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = (None, exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_action_edits_one_wins_the_other_is_told_what_changed(docs):
    users, action = docs["users"], docs["action"]
    base = action.version

    def edit(user, text):
        return lambda: services.action_update(action=Action.objects.get(pk=action.pk), actor=user,
                                              base_version=base, action_planned=text)

    outcomes = run_together(edit(users[Role.RCGP_ADVISER], "Weekly recall"),
                            edit(users[Role.RCGP_DEPUTY_LEAD], "Fortnightly recall"))
    winners = [result for result, error in outcomes if error is None]
    losers = [error for result, error in outcomes if error is not None]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], services.StaleEdit)
    saved = Action.objects.get(pk=action.pk)
    assert saved.action_planned == winners[0].action_planned and saved.version == base + 1
    assert ("Action(s) planned (SMART)", saved.action_planned) in losers[0].changes
    assert saved.history.count() == 2  # created, then exactly one edit


def test_concurrent_rag_changes_keep_exactly_the_saved_one(docs):
    users, action = docs["users"], docs["action"]
    base = action.version

    def set_rag(user, status):
        return lambda: services.action_set_rag(action=Action.objects.get(pk=action.pk), actor=user,
                                               to_status=status, reason=f"{user.role} says {status}",
                                               base_version=base, evidence_justification="Log seen")

    outcomes = run_together(set_rag(users[Role.PRACTICE_USER], "amber"),
                            set_rag(users[Role.PRACTICE_LEAD], "green"))
    winners = [result for result, error in outcomes if error is None]
    assert len(winners) == 1
    assert all(isinstance(error, services.StaleEdit) for result, error in outcomes if error is not None)
    [change] = RagChange.objects.filter(action=action)
    assert change.to_status == winners[0].rag_status == Action.objects.get(pk=action.pk).rag_status


def test_concurrent_saves_of_different_sections_both_land(docs):
    users, report = docs["users"], docs["report"]

    def save(user, part, text):
        return lambda: services.report_part_save(report=DiagnosticReport.objects.get(pk=report.pk), actor=user,
                                                 part=part, value=text, base_version=report.part_version(part))

    outcomes = run_together(save(users[Role.RCGP_ADVISER], "history", "History by the adviser"),
                            save(users[Role.RCGP_DEPUTY_LEAD], "conclusions", "Conclusions by the deputy lead"))
    assert [error for _result, error in outcomes] == [None, None]
    saved = DiagnosticReport.objects.get(pk=report.pk)
    assert (saved.history_text, saved.conclusions) == ("History by the adviser", "Conclusions by the deputy lead")
    assert saved.section_versions == {**report.section_versions, "history": 3, "conclusions": 2}


def test_concurrent_saves_of_one_section_keep_one_and_show_the_other_its_newer_text(docs):
    users, report = docs["users"], docs["report"]
    base = report.part_version("history")

    def save(user, text):
        return lambda: services.report_part_save(report=DiagnosticReport.objects.get(pk=report.pk), actor=user,
                                                 part="history", value=text, base_version=base)

    outcomes = run_together(save(users[Role.RCGP_ADVISER], "Version A"), save(users[Role.RCGP_DEPUTY_LEAD],
                                                                                "Version B"))
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1 and isinstance(errors[0], services.StaleEdit)
    saved = DiagnosticReport.objects.get(pk=report.pk)
    assert saved.history_text in ("Version A", "Version B") and saved.part_version("history") == base + 1
    assert errors[0].changes == [("History", saved.history_text)]


def test_stale_edit_in_the_browser_form_keeps_the_users_text(client, docs):
    from django.urls import reverse

    users, action = docs["users"], docs["action"]
    services.action_update(action=action, actor=users[Role.RCGP_DEPUTY_LEAD], base_version=action.version,
                           next_steps="Deputy lead's next steps")
    client.force_login(users[Role.RCGP_ADVISER])
    data = {f: getattr(action, f) for f in services.ACTION_FIELDS if f != "lead_user"}
    data.update(planned_completion=action.planned_completion.isoformat(), version=1,
                action_planned="My careful rewrite")
    response = client.post(reverse("forwardplans:action_edit", args=[action.pk]), data)
    html = response.content.decode()
    assert response.status_code == 409  # the stale edit is a conflict, as on every other page
    assert "Someone else changed this action" in html
    assert "Deputy lead&#39;s next steps" in html or "Deputy lead's next steps" in html
    assert "My careful rewrite" in html  # the user's own text is still in the form
    assert Action.objects.get(pk=action.pk).action_planned == "Set up a monthly recall"
