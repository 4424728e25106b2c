"""What a reminder says, rendered when it is read.

A reminder is stored with a neutral title (what is due, the contract's reference, never a plan's text), and that
is all its e-mail carries. The notifications page renders the rest from the item itself, through the access
policy, when it is read: someone who may no longer see the item (the practice withdrew consent, the adviser left
the team) sees that there was a notification, and nothing more. One query per kind of item on the page.
"""

from collections import defaultdict

from django.apps import apps
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from contracts import access as contract_access
from contracts.models import FIRST_CONTACT_WITHIN, ContractTransition
from contracts.workflow import State
from practices import access as practice_access
from practices.models import SPECIAL_MEASURES_REINSPECTION, SpecialMeasuresEpisode

from . import access
from .deadlines import CONTRACT_END, SCOPES, date_text, prefix, when_text
from .job_models import ReminderItem, ReminderKind
from .models import Milestone

HIDDEN = None  # what a renderer answers for an item its reader may not see now


def _sent_on(notification):
    return timezone.localdate(notification.created_at)


def _each(items, visible, fields, text):
    """(notification, texts or HIDDEN) for ``items``: ``visible`` (from the access policy) narrowed to their item
    ids, read as ``fields`` in one query, each rendered by ``text(notification, *row)``."""
    rows = {pk: row for pk, *row in visible.filter(pk__in={n.reminder.item_id for n in items}).values_list(
        "pk", *fields)}
    for n in items:
        row = rows.get(n.reminder.item_id)
        yield n, HIDDEN if row is None else text(n, *row)


def _plan_item(n, what, subject, action_text, action_id, reference, practice):
    r = n.reminder
    return (f"{prefix(r.kind, r.due_on, _sent_on(n))}: {what.lower()} “{subject[:120]}” – contract {reference}",
            f"{what} “{subject[:120]}” {when_text(r.kind, r.due_on, _sent_on(n))}.\n"
            f"Action: {action_text[:300]}\nPractice: {practice} · contract {reference}.",
            reverse("forwardplans:action", args=[action_id]))


def _overdue_or_soon(reminder):
    return "Overdue" if reminder.kind == ReminderKind.OVERDUE else "Due soon"


def milestones(user, items):
    return _each(items, Milestone.objects.filter(action__in=access.actions_for(user)),
                 ("description", "action__action_planned", "action_id", "action__plan__contract__reference",
                  "action__plan__contract__practice__name"),
                 lambda n, description, *rest: _plan_item(n, "Milestone", description, *rest))


def actions(user, items):
    return _each(items, access.actions_for(user),
                 ("action_planned", "plan__contract__reference", "plan__contract__practice__name"),
                 lambda n, text, *rest: _plan_item(n, "Planned completion of the action", text, text,
                                                   n.reminder.item_id, *rest))


def _first_contact(n, reference, commissioned_on, deputy_id, practice):
    due_on = commissioned_on + FIRST_CONTACT_WITHIN
    return (f"{_overdue_or_soon(n.reminder)}: first contact with {practice} – contract {reference}",
            f"RCGP makes first contact within one week of commissioning. Contract {reference} was commissioned on "
            f"{date_text(commissioned_on)}; first contact {when_text(n.reminder.kind, due_on, _sent_on(n))}."
            + ("" if deputy_id else "\nThe contract has no deputy lead yet."),
            reverse("contracts:detail", args=[reference]))


def first_contacts(user, items):
    return _each(items, contract_access.contracts_for(user), ("reference", "commissioned_on", "deputy_lead_id",
                                                     "practice__name"), _first_contact)


def _contract_end(n, reference, ends_on, practice):
    return (f"{_overdue_or_soon(n.reminder)}: the agreement for contract {reference} with {practice} ends",
            f"The end of the support agreement for contract {reference} "
            f"{when_text(n.reminder.kind, ends_on, _sent_on(n))}. Agree a follow-on, an extension or the close of "
            f"the contract.",
            reverse("contracts:detail", args=[reference]))


def contract_ends(user, items):
    return _each(items, contract_access.contracts_for(user), ("reference", "mou_ends_on", "practice__name"),
                 _contract_end)


def _referral(n, received_on, practice):
    r = n.reminder
    return (f"{_overdue_or_soon(r)}: acknowledge the referral from {practice}",
            f"A self-referral received on {date_text(received_on)} must be acknowledged within 10 working days; the "
            f"acknowledgement {when_text(r.kind, r.due_on, _sent_on(n))}.",
            reverse("referrals:detail", args=[r.item_id]))


def referrals(user, items):
    return _each(items, contract_access.referrals_for(user), ("received_on", "practice__name"), _referral)


def _reinspection(n, published_on, ods_code, name):
    due_on = published_on + SPECIAL_MEASURES_REINSPECTION
    return (f"{_overdue_or_soon(n.reminder)}: special-measures re-inspection of {name} ({ods_code})",
            f"{name} was rated Inadequate (special measures) in a report published on {date_text(published_on)}; "
            f"re-inspection within six months {when_text(n.reminder.kind, due_on, _sent_on(n))}.",
            reverse("practices:detail", args=[ods_code]))


def reinspections(user, items):
    """Reminders sent before special-measures episodes, keyed by the Inadequate inspection: still rendered."""
    return _each(items, practice_access.inspections_for(user),
                 ("publication_date", "practice__ods_code", "practice__name"), _reinspection)


ROUTES = dict(SpecialMeasuresEpisode.Route.choices)


def _episode_reinspection(n, route, started_on, reinspection_due, extended_to, ended_on, ods_code, name):
    r = n.reminder
    lines = [f"{name} has been in special measures since {date_text(started_on)} "
             f"({ROUTES.get(route, 'route not recorded').lower()}); the re-inspection "
             f"{when_text(r.kind, r.due_on, _sent_on(n))}."]
    if extended_to:
        first = f" (first due by {date_text(reinspection_due)})" if reinspection_due else ""
        lines.append(f"CQC extended the re-inspection date to {date_text(extended_to)}{first}.")
    due_now = extended_to or reinspection_due
    if ended_on:
        lines.append(f"The episode has since ended, on {date_text(ended_on)}.")
    elif due_now and due_now != r.due_on:
        lines.append(f"The re-inspection date is now {date_text(due_now)}.")
    return (f"{_overdue_or_soon(r)}: special-measures re-inspection of {name} ({ods_code})", "\n".join(lines),
            reverse("practices:detail", args=[ods_code]))


def _practice_code(link):
    try:
        match = resolve(link)
    except Resolver404:
        return None
    return match.kwargs.get("ods_code") if match.view_name == "practices:detail" else None


def _replaced_episode(n, ods_code, name):
    r = n.reminder
    return (f"{_overdue_or_soon(r)}: special-measures re-inspection of {name} ({ods_code})",
            f"This reminder was about a re-inspection that was due on {date_text(r.due_on)}. {name}'s "
            f"special-measures record has changed since (a newer report or a correction): its page shows where it "
            f"stands now.",
            reverse("practices:detail", args=[ods_code]))


def episode_reinspections(user, items):
    """The re-inspection of a special-measures episode (forwardplans.deadlines.REINSPECTION): its route, its date
    and any extension, as the episode now stands. Derivation writes a practice's episodes anew when a newer report
    comes: a reminder whose episode has gone says so, if the reader may still see the practice (its link names
    it; one more query, only then)."""
    shown = list(_each(items, SpecialMeasuresEpisode.objects.filter(practice__in=practice_access.practices_for(user)),
                       ("route", "started_on", "reinspection_due", "extended_to", "ended_on", "practice__ods_code",
                        "practice__name"), _episode_reinspection))
    gone = {n.pk: _practice_code(n.link) for n, texts in shown if texts is HIDDEN}
    names = dict(practice_access.practices_for(user).filter(ods_code__in={c for c in gone.values() if c})
                 .values_list("ods_code", "name")) if any(gone.values()) else {}
    for n, texts in shown:
        code = gone.get(n.pk)
        yield n, (_replaced_episode(n, code, names[code]) if code in names else texts)


def digests(user, items):
    """A weekly digest keeps the ids of what it listed; it shows those the reader may still see."""
    wanted = defaultdict(set)
    for n in items:
        for key in ("overdue", "new_reds", "state_changes"):
            wanted[key].update(n.detail.get(key, []))
    overdue = {pk: row for pk, *row in access.actions_for(user).filter(pk__in=wanted["overdue"]).values_list(
        "pk", "plan__contract__reference", "plan__contract__practice__name", "action_planned", "planned_completion")}
    reds = {pk: row for pk, *row in access.document_contracts_for(user).filter(
        pk__in=wanted["new_reds"]).values_list("pk", "reference", "practice__name")}
    changes = {pk: row for pk, *row in ContractTransition.objects.filter(
        pk__in=wanted["state_changes"], contract__in=contract_access.contracts_for(user)).values_list(
        "pk", "contract__reference", "contract__practice__name", "from_state", "to_state")}
    labels = dict(State.choices)
    for n in items:
        monday = n.reminder.due_on
        lines = [f"Your weekly digest for the week of {date_text(monday)}.", ""]
        shown = [overdue[pk] for pk in n.detail.get("overdue", []) if pk in overdue]
        if shown:
            lines.append(f"Overdue actions ({len(shown)}):")
            lines += [f"- Contract {ref}, {practice}: {text[:100]} (complete by {date_text(due)})"
                      for ref, practice, text, due in shown]
            lines.append("")
        shown = [reds[pk] for pk in n.detail.get("new_reds", []) if pk in reds]
        if shown:
            lines.append("Plans with new Red actions this week:")
            lines += [f"- Contract {ref}, {practice}" for ref, practice in shown]
            lines.append("")
        shown = [changes[pk] for pk in n.detail.get("state_changes", []) if pk in changes]
        if shown:
            lines.append("Contracts that changed state:")
            lines += [f"- Contract {ref}, {practice}: {labels.get(old, old or 'new')} → {labels.get(new, new)}"
                      for ref, practice, old, new in shown]
        if len(lines) == 2:
            lines.append("Nothing in this digest is open to you now.")
        yield n, (n.title, "\n".join(lines).strip(), reverse("contracts:list"))


def _concern(n, reference, practice):
    r = n.reminder
    escalated = " It has not been acknowledged in time: RCGP admin has been told." if r.kind == ReminderKind.OVERDUE \
        else ""
    return (f"{_overdue_or_soon(r)}: acknowledge a concern reported on contract {reference} with {practice}",
            f"A concern reported under the duty to report is acknowledged by the end of the next working day; the "
            f"acknowledgement {when_text(r.kind, r.due_on, _sent_on(n))}.{escalated}",
            reverse("concerns:detail", args=[r.item_id]))


def concerns(user, items):
    """Only the receivers of a concern hear of it (deadlines.CONCERN); the words name no category and no text."""
    received = apps.get_model("concerns", "Concern").objects.filter(contract__in=SCOPES["concern"](user))
    return _each(items, received, ("contract__reference", "contract__practice__name"), _concern)


RENDERERS = {
    ReminderItem.MILESTONE: milestones,
    ReminderItem.ACTION: actions,
    ReminderItem.FIRST_CONTACT: first_contacts,
    ReminderItem.REFERRAL: referrals,
    ReminderItem.REINSPECTION: reinspections,
    ReminderItem.EPISODE_REINSPECTION: episode_reinspections,
    ReminderItem.DIGEST: digests,
    CONTRACT_END: contract_ends,
    ReminderItem.CONCERN: concerns,
}


def render(notifications, user):
    """{notification pk: (title, body, link) or HIDDEN} for the reminders among ``notifications`` whose item is
    rendered when read. Others (a failed job, told to RCGP admins) are shown as stored."""
    by_type = defaultdict(list)
    for n in notifications:
        if n.reminder_id and n.reminder.item_type in RENDERERS:
            by_type[n.reminder.item_type].append(n)
    shown = {}
    for item_type, items in by_type.items():
        shown.update((n.pk, texts) for n, texts in RENDERERS[item_type](user, items))
    return shown

