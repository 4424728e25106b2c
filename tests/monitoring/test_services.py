"""The monitoring services' rules: who may write, what is refused (nothing saved), stale writes, history."""

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit
from core.roles import Role
from monitoring import services
from monitoring.models import FollowUp, MonitoringRecord, ReadinessReview
from practices.models import SpecialMeasuresEpisode
from tests.factories import user_for

from .factories import checklist, record

pytestmark = pytest.mark.django_db
R = Role
TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def own(world):
    return world["practices"]["own"]


@pytest.fixture
def peer(world):
    return world["users"][R.COMMISSIONER_PEER_SUPPORT]


def test_the_commissioners_users_record_with_follow_ups_and_history(own, peer, world):
    lead = world["users"][R.COMMISSIONER_LEAD]
    created = record(own, peer, follow_ups=[{"what": "Check the audit", "due_on": TODAY() + DAY, "owner": lead},
                                           {"what": "Call back", "due_on": TODAY() + 2 * DAY}])
    assert created.recorded_by == peer and created.version == 1 and not created.shared_with_practice
    assert created.people_list == ["Dr A Patel", "Practice manager"]
    assert [(f.what, f.owner) for f in created.follow_ups.order_by("due_on")] == [("Check the audit", lead),
                                                                                 ("Call back", None)]
    assert created.history.get().history_user == peer
    assert record(own, lead, kind="support_offered").kind == "support_offered"


@pytest.mark.parametrize("role", [R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.PRACTICE_USER,
                                  R.PRACTICE_LEAD, R.NHSE_REPORTING])
def test_nobody_else_records(own, world, role):
    with pytest.raises(NotAllowed):
        record(own, world["users"][role])
    assert not MonitoringRecord.objects.exists()


def test_another_commissioners_users_do_not_record(world):
    with pytest.raises(NotAllowed):
        record(world["practices"]["other"], world["users"][R.COMMISSIONER_LEAD])


def test_an_icb_records_for_its_sub_icb_locations_practices(own, icb):
    assert record(own, icb[R.COMMISSIONER_PEER_SUPPORT]).practice == own


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "gossip"}, "Choose what kind of record"),
    ({"happened_on": None}, "Enter the date"),
    ({"happened_on": TODAY() + DAY}, "today or in the past"),
    ({"summary": "  "}, "Enter the summary"),
    ({"summary": "Patient 943 476 5919 was seen."}, "patient-identifiable"),
    ({"follow_ups": [{"what": "", "due_on": TODAY()}]}, "Enter what the follow-up is"),
    ({"follow_ups": [{"what": "Call", "due_on": None}]}, "Enter the date the follow-up is due"),
    ({"follow_ups": [{"what": "Call", "due_on": TODAY() - 10 * DAY}]}, "on or after the record's date"),
])
def test_bad_records_are_refused_and_nothing_is_saved(own, peer, changes, message):
    values = {"kind": "visit", "happened_on": TODAY() - DAY, "summary": "Visited.", **changes}
    with pytest.raises(DomainError, match=message):
        services.monitoring_record_create(practice=own, actor=peer, **values)
    assert not MonitoringRecord.objects.exists() and not FollowUp.objects.exists()


def test_patient_data_passes_once_confirmed(own, peer):
    created = services.monitoring_record_create(practice=own, actor=peer, kind="call", happened_on=TODAY(),
                                                summary="Reference 943 476 5919 is a purchase order.",
                                                confirmed_no_patient_data=True)
    assert created.pk


def test_a_follow_ups_owner_is_one_of_the_commissioners_team(own, peer, world):
    for outsider in (world["users"][R.PRACTICE_LEAD], user_for(R.COMMISSIONER_LEAD, commissioner=world["other"]),
                     world["users"][R.RCGP_ADMIN]):
        with pytest.raises(DomainError, match="commissioner's team"):
            record(own, peer, follow_ups=[{"what": "Call", "due_on": TODAY(), "owner": outsider}])
    assert not MonitoringRecord.objects.exists()


def test_an_edit_carries_its_version_and_a_stale_one_is_refused_with_what_changed(own, peer, world):
    created = record(own, peer)
    lead = world["users"][R.COMMISSIONER_LEAD]
    saved = services.monitoring_record_update(record=created, actor=lead, base_version=1, summary="Visited twice.",
                                              shared_with_practice=True)
    assert (saved.version, saved.summary, saved.shared_with_practice) == (2, "Visited twice.", True)
    with pytest.raises(StaleEdit) as stale:
        services.monitoring_record_update(record=created, actor=peer, base_version=1, summary="Mine.")
    assert ("Summary and notes", "Visited twice.") in stale.value.changes
    assert ("Shared with the practice", "Yes") in stale.value.changes
    with pytest.raises(NothingChanged):
        services.monitoring_record_update(record=created, actor=peer, base_version=2, summary="Visited twice.")
    created.refresh_from_db()
    assert (created.version, created.summary) == (2, "Visited twice.")
    assert created.history.count() == 2


def test_only_the_commissioner_edits(own, peer, world):
    created = record(own, peer, shared=True)
    with pytest.raises(NotAllowed):
        services.monitoring_record_update(record=created, actor=world["users"][R.PRACTICE_LEAD], base_version=1,
                                          summary="Ours now.")
    created.refresh_from_db()
    assert created.summary == "Visited."


def test_a_follow_up_is_done_once_not_in_the_future_nor_by_others(own, peer, world):
    created = record(own, peer, follow_ups=[{"what": "Call", "due_on": TODAY() + DAY}], shared=True)
    follow_up = created.follow_ups.get()
    with pytest.raises(NotAllowed):
        services.follow_up_done(follow_up=follow_up, actor=world["users"][R.PRACTICE_LEAD])
    with pytest.raises(DomainError, match="today or in the past"):
        services.follow_up_done(follow_up=follow_up, actor=peer, done_on=TODAY() + DAY)
    with pytest.raises(DomainError, match="on or after the record's date"):
        services.follow_up_done(follow_up=follow_up, actor=peer, done_on=TODAY() - 10 * DAY)
    follow_up.refresh_from_db()
    assert follow_up.done_on is None
    done = services.follow_up_done(follow_up=follow_up, actor=peer)
    assert (done.done_on, done.done_by) == (TODAY(), peer)
    with pytest.raises(DomainError, match="already marked done"):
        services.follow_up_done(follow_up=follow_up, actor=peer)


def test_a_follow_up_is_added_to_a_record(own, peer, world):
    created = record(own, peer)
    added = services.follow_up_add(record=created, actor=peer, what="Visit again", due_on=TODAY() + 7 * DAY)
    assert added.record == created
    with pytest.raises(NotAllowed):
        services.follow_up_add(record=created, actor=world["users"][R.RCGP_ADMIN], what="x", due_on=TODAY())


def test_a_readiness_review_is_tied_to_the_current_episode_and_edited_with_its_version(own, world):
    lead = world["users"][R.COMMISSIONER_LEAD]
    episode = SpecialMeasuresEpisode.objects.create(practice=own, started_on=TODAY() - 100 * DAY,
                                                    reinspection_due=TODAY() + 80 * DAY)
    answers = checklist("partly")
    review = services.readiness_review_record(practice=own, actor=lead, reviewed_on=TODAY(), checklist=answers,
                                              readiness="partly", notes="Close.")
    assert (review.episode, review.readiness, review.version) == (episode, "partly", 1)
    assert review.checklist["staffing"] == {"status": "partly", "note": ""}
    peer = world["users"][R.COMMISSIONER_PEER_SUPPORT]
    changed = services.readiness_review_record(practice=own, actor=peer, review=review, base_version=1,
                                               reviewed_on=TODAY(), checklist=answers, readiness="ready")
    assert (changed.readiness, changed.version) == ("ready", 2)
    with pytest.raises(StaleEdit) as stale:
        services.readiness_review_record(practice=own, actor=lead, review=review, base_version=1,
                                         reviewed_on=TODAY(), checklist=answers, readiness="not_ready")
    assert ("Overall readiness", "Ready") in stale.value.changes
    with pytest.raises(NothingChanged):
        services.readiness_review_record(practice=own, actor=lead, review=review, base_version=2,
                                         reviewed_on=TODAY(), checklist=answers, readiness="ready", notes="")


@pytest.mark.parametrize(("changes", "message"), [
    ({"checklist": {}}, "Answer ‘Is the practice"),
    ({"checklist": {**checklist(), "staffing": {"status": "maybe"}}}, "Answer ‘Is staffing"),
    ({"checklist": {**checklist(), "mood": {"status": "yes"}}}, "Unknown area"),
    ({"readiness": "soon"}, "Select the overall readiness"),
    ({"reviewed_on": TODAY() + DAY}, "today or in the past"),
])
def test_a_bad_readiness_review_is_refused(own, world, changes, message):
    values = {"reviewed_on": TODAY(), "checklist": checklist(), "readiness": "ready", **changes}
    with pytest.raises(DomainError, match=message):
        services.readiness_review_record(practice=own, actor=world["users"][R.COMMISSIONER_LEAD], **values)
    assert not ReadinessReview.objects.exists()


@pytest.mark.parametrize("role", [R.RCGP_ADMIN, R.PRACTICE_LEAD, R.NHSE_REPORTING])
def test_only_the_commissioner_reviews_readiness(own, world, role):
    with pytest.raises(NotAllowed):
        services.readiness_review_record(practice=own, actor=world["users"][role], reviewed_on=TODAY(),
                                         checklist=checklist(), readiness="ready")
