"""The demo's practice alerts: real changes in the Oldham history that seed_demo imports, raised through the
service (surveillance.alerts.alerts_raise) as of the day each happened, so the notifications page, each practice
page's "Alerts" and GET /api/v1/alerts/ have something true to show.

What is raised: for the demo practice and the Oldham practices with the newest reports, the latest report and the
rating that fell or rose with it; the demo practice's special measures entered and left and six-month windows
opened, and the newest of those of the other Oldham practices. The keys are the ones the syncs and the episodes use
(a report's link id, an episode's start), so a later real sync raises none of them again. Idempotent: an alert is
raised once, each notification claimed once.
"""

from practices.models import Inspection, Practice, SpecialMeasuresEpisode
from practices.ratings import RATING_ORDER
from surveillance.alerts import alerts_raise

# demo.data's DEMO_COMMISSIONER and DEMO_PRACTICE (not imported: demo.data calls this module).
DEMO_COMMISSIONER, DEMO_PRACTICE = "00Y", "P85022"
NEWEST_REPORTS = 5  # Oldham practices, besides the demo practice, whose latest report is raised
NEWEST_EPISODE_CHANGES = 8  # the latest entries into and exits from special measures and windows, besides the demo


def _iso(day):
    return day.isoformat() if day else None


def _report_changes():
    newest = list(Practice.objects.filter(commissioner__ods_code=DEMO_COMMISSIONER).with_current_rating()
                  .exclude(ods_code=DEMO_PRACTICE).filter(current_published_on__isnull=False)
                  .order_by("-current_published_on", "ods_code").values_list("pk", flat=True)[:NEWEST_REPORTS])
    chosen = [*Practice.objects.filter(ods_code=DEMO_PRACTICE).values_list("pk", flat=True), *newest]
    latest_two = {}
    for inspection in Inspection.objects.rated().filter(practice_id__in=chosen).order_by(*Inspection.LATEST_FIRST):
        latest_two.setdefault(inspection.practice_id, [])
        if len(latest_two[inspection.practice_id]) < 2:
            latest_two[inspection.practice_id].append(inspection)
    for practice_id, (latest, *before) in latest_two.items():
        link, on = latest.report_link_id or f"inspection {latest.pk}", latest.publication_date
        yield {"kind": "new_inspection", "practice_id": practice_id, "on": on, "key": link,
               "facts": {"report": link, "published_on": _iso(on), "rating": latest.overall_rating}}
        if before and before[0].overall_rating != latest.overall_rating:
            fell = RATING_ORDER[latest.overall_rating] < RATING_ORDER[before[0].overall_rating]
            yield {"kind": "rating_fell" if fell else "rating_rose", "practice_id": practice_id, "on": on,
                   "key": link, "facts": {"from": before[0].overall_rating, "to": latest.overall_rating,
                                          "published_on": _iso(on), "report": link}}


def _episode_changes():
    every = sorted(_each_episode_change(), key=lambda c: (c["on"], c["kind"]), reverse=True)
    demo = set(Practice.objects.filter(ods_code=DEMO_PRACTICE).values_list("pk", flat=True))
    yield from (c for c in every if c["practice_id"] in demo)
    yield from [c for c in every if c["practice_id"] not in demo][:NEWEST_EPISODE_CHANGES]


def _each_episode_change():
    for e in SpecialMeasuresEpisode.objects.filter(practice__commissioner__ods_code=DEMO_COMMISSIONER):
        facts = {"stage": e.stage, "route": e.route, "started_on": _iso(e.started_on),
                 "reinspection_due": _iso(e.due), "ended_on": _iso(e.ended_on), "outcome": e.outcome,
                 "exit_rating": e.exit_rating, "domains": list(e.domains)}
        if e.stage == SpecialMeasuresEpisode.Stage.WINDOW:
            yield {"kind": "window_opened", "practice_id": e.practice_id, "on": e.started_on,
                   "key": _iso(e.started_on), "facts": facts}
            continue
        yield {"kind": "entered_special_measures", "practice_id": e.practice_id, "on": e.started_on,
               "key": _iso(e.started_on), "facts": facts}
        if e.ended_on:
            yield {"kind": "left_special_measures", "practice_id": e.practice_id, "on": e.ended_on,
                   "key": _iso(e.started_on), "facts": facts}


def seed_alerts(log=print):
    """Raise the demo's alerts, each as of the day its change happened (the service raises only recent ones)."""
    raised = 0
    for change in sorted([*_report_changes(), *_episode_changes()], key=lambda c: (c["on"], c["kind"])):
        raised += len(alerts_raise(changes=[change], today=change["on"]))
    log(f"practice alerts: {raised} raised")
    return raised
