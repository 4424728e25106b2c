"""What an alert says: a neutral title (the kind of change and the practice, public register facts) for its e-mail,
and a line from its facts for the notifications page and the practice page, rendered when read."""

import datetime

from django.urls import reverse

from core.formatting import uk_date
from practices.models import SpecialMeasuresEpisode
from practices.ratings import KEY_QUESTIONS, POPULATION_GROUPS, Rating

from .access import alerts_for
from .models import PracticeAlert

K = PracticeAlert.Kind
TITLES = {
    K.NEW_INSPECTION: "CQC: new inspection report for {practice}",
    K.RATING_FELL: "CQC: rating fell for {practice}",
    K.RATING_ROSE: "CQC: rating rose for {practice}",
    K.ENTERED_SPECIAL_MEASURES: "Special measures: {practice} entered special measures",
    K.LEFT_SPECIAL_MEASURES: "Special measures: {practice} left special measures",
    K.WINDOW_OPENED: "CQC: six months to improve for {practice}",
    K.PRACTICE_CLOSED: "ODS: {practice} closed",
    K.PRACTICE_REOPENED: "ODS: {practice} re-opened",
    K.COMMISSIONER_CHANGED: "ODS: new commissioner for {practice}",
    K.CORRECTION_DIFFERS: "Special measures: the correction for {practice} differs from the inspections",
}
RATINGS = dict(Rating.choices)
DOMAINS = {field: label for field, _api, label in (*KEY_QUESTIONS, *POPULATION_GROUPS)}
ROUTES = dict(SpecialMeasuresEpisode.Route.choices)
OUTCOMES = dict(SpecialMeasuresEpisode.Outcome.choices)


def _day(value):
    """A date from the facts (ISO text) in words; "" when there is none."""
    if not value:
        return ""
    try:
        return uk_date(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _rating(value):
    return RATINGS.get(value, "")


def title(alert, practice=None):
    practice = practice or alert.practice
    return TITLES[alert.kind].format(practice=f"{practice.name} ({practice.ods_code})")


def _new_inspection(f):
    rated = f" It rates the practice {_rating(f.get('rating'))} overall." if _rating(f.get("rating")) else ""
    return f"CQC published a new inspection report on {_day(f.get('published_on'))}.{rated}"


def _rating_moved(moved):
    def text(f):
        return (f"The overall CQC rating {moved} from {_rating(f.get('from'))} to {_rating(f.get('to'))} in the report "
                f"published on {_day(f.get('published_on'))}.")
    return text


def _lower_first(text):
    return text[:1].lower() + text[1:]


def _entered(f):
    due = f" Re-inspection is due by {_day(f.get('reinspection_due'))}." if f.get("reinspection_due") else ""
    route = f" ({_lower_first(ROUTES[f['route']])})" if f.get("route") in ROUTES else ""
    return f"In special measures from {_day(f.get('started_on'))}{route}.{due}"


def _left(f):
    ended, outcome = _day(f.get("ended_on")), f.get("outcome")
    if outcome == SpecialMeasuresEpisode.Outcome.EXITED:
        rated = f", rated {_rating(f.get('exit_rating'))}" if _rating(f.get("exit_rating")) else ""
        return f"Left special measures on {ended}{rated}."
    why = f": {_lower_first(OUTCOMES[outcome])}" if outcome in OUTCOMES else ""
    return f"Special measures ended on {ended}{why}."


def _window(f):
    domains = ", ".join(DOMAINS.get(d, d) for d in f.get("domains") or [])
    which = f" ({domains})" if domains else ""
    return (f"Rated Inadequate in a key question or population group{which} in the report published on "
            f"{_day(f.get('started_on'))}: six months to improve, re-inspection by {_day(f.get('reinspection_due'))}."
            " Still Inadequate then, the practice enters special measures.")


def _closed(f):
    return f"The ODS practice file records the practice as closed on {_day(f.get('closed_on'))}."


def _reopened(f):
    return "The ODS practice file records the practice as open again."


def _commissioner(f):
    return f"The ODS practice file records a new commissioner: {f.get('from') or 'none'} to {f.get('to') or 'none'}."


def _correction(f):
    return (f"A correction of the special-measures record from {_day(f.get('started_on'))} is not borne out by the "
            f"inspections, derived again. It stands until a newer report is published: check it.")


BODIES = {
    K.NEW_INSPECTION: _new_inspection, K.RATING_FELL: _rating_moved("fell"), K.RATING_ROSE: _rating_moved("rose"),
    K.ENTERED_SPECIAL_MEASURES: _entered, K.LEFT_SPECIAL_MEASURES: _left, K.WINDOW_OPENED: _window,
    K.PRACTICE_CLOSED: _closed, K.PRACTICE_REOPENED: _reopened, K.COMMISSIONER_CHANGED: _commissioner,
    K.CORRECTION_DIFFERS: _correction,
}


def body(alert):
    return BODIES[alert.kind](alert.detail or {})


def link(alert, practice=None):
    return reverse("practices:detail", args=[(practice or alert.practice).ods_code])


def render_alerts(user, items):
    """forwardplans.reminder_texts renderer for ReminderItem.ALERT: (notification, (title, body, link) or None)
    for each of ``items``, from the alerts ``user`` may see now (one query); None hides the rest."""
    shown = {alert.pk: alert for alert in alerts_for(user).filter(pk__in={n.reminder.item_id for n in items})
             .select_related("practice")}
    for n in items:
        alert = shown.get(n.reminder.item_id)
        yield n, None if alert is None else (title(alert), body(alert), link(alert))
