"""Reads of practices and inspections, always starting from the access policy."""

from practices.models import Commissioner, CommissionerName, Inspection, SpecialMeasuresEpisode, commissioner_label
from practices.ratings import KEY_QUESTIONS

from . import access

KEY_QUESTION_FIELDS = tuple(field for field, _api, _label in KEY_QUESTIONS)


def practice_list(user):
    """Practices the user may see, with their current rating derived from inspections."""
    return access.practices_for(user).with_current_rating()


def attach_current_key_questions(practices):
    """Set ``current_key_questions`` on each practice of a page, in one query: {key question field: rating} of
    its current inspection (what the lists, the API and the exports show of it), or None without one. Plain
    values, not inspections: building a hundred model instances was a fifth of the API list's time."""
    ids = [p.current_inspection_id for p in practices if p.current_inspection_id]
    by_id = {row.pop("pk"): row for row in
             Inspection.objects.filter(pk__in=ids).order_by().values("pk", *KEY_QUESTION_FIELDS)}
    for practice in practices:
        practice.current_key_questions = by_id.get(practice.current_inspection_id)
    return practices


def practice_detail(user, ods_code):
    """One practice (or 404) with its inspection history, newest first, and its current inspection; its
    special-measures episodes and windows, oldest first, are on ``practice.episode_list``."""
    practice = access.get_practice_or_404(user, ods_code)
    inspections = list(practice.inspections.all())
    current = next((i for i in inspections if i.publication_date and i.overall_rating), None)
    practice.current_rating = current.overall_rating if current else None
    practice.current_published_on = current.publication_date if current else None
    practice.episode_list = list(practice.episodes.all())
    now = next((e for e in reversed(practice.episode_list)
                if e.stage == SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES and e.ended_on is None), None)
    practice.sm_started_on = now.started_on if now else None
    practice.sm_reinspection_due = now.due if now else None
    return practice, inspections, current


def commissioner_labels(codes):
    """{ODS code: how a page names that commissioner} for ``codes``, in two queries at most (the register of
    organisations is public data): its name with its code, or "Sub-ICB location 00Y — name not known". For
    rows that carry a code, not a Commissioner (``values()``, API rows, charts); a Commissioner names itself
    (``str(commissioner)``, ``commissioner.label``)."""
    codes = {code for code in codes if code}
    labels = {code: commissioner_label(code, name, kind) for code, name, kind in
              Commissioner.objects.filter(ods_code__in=codes).values_list("ods_code", "name", "kind")}
    missing = codes - labels.keys()
    if missing:
        named = dict(CommissionerName.objects.filter(ods_code__in=missing).values_list("ods_code", "name"))
        labels.update({code: commissioner_label(code, named.get(code, code)) for code in missing})
    return labels
