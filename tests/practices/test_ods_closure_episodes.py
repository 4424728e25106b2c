"""An ODS import that closes a practice ends its current special-measures episode (``practice_closed``), in the
same all-or-nothing import; a re-opening restores it; other changes leave the episodes alone."""

import datetime

import pytest

from core.roles import Role
from practices.imports.common import ImportRejected
from practices.imports.ods import import_ods_practices
from practices.models import Practice, SpecialMeasuresEpisode
from practices.services import episode_correct

from ..factories import InspectionFactory, user_for
from .test_import_ods import row, write_rows

pytestmark = pytest.mark.django_db
D = datetime.date
CODE = "P85022"


def _stages(practice):
    return [(e.stage, e.started_on, e.ended_on, e.outcome) for e in practice.episodes.order_by("started_on", "pk")]


@pytest.fixture
def in_special_measures(tmp_path):
    """Lees Medical Practice, imported from ODS, rated Inadequate (June 2025) after a window opened by an
    Inadequate well-led (January 2025)."""
    import_ods_practices(write_rows(tmp_path, [row()], "open.csv"))
    practice = Practice.objects.get(ods_code=CODE)
    InspectionFactory(practice=practice, publication_date=D(2025, 1, 6), overall_rating="requires_improvement",
                      well_led="inadequate", report_link_id="w")
    InspectionFactory(practice=practice, publication_date=D(2025, 6, 2), overall_rating="inadequate",
                      report_link_id="sm")
    assert _stages(practice) == [("window", D(2025, 1, 6), D(2025, 6, 2), "not_improved"),
                                 ("special_measures", D(2025, 6, 2), None, "")]
    return practice


def test_closure_ends_the_current_episode_and_reopening_restores_it(tmp_path, in_special_measures):
    practice = in_special_measures
    summary = import_ods_practices(write_rows(tmp_path, [row(closed="20251031", status="C")], "closed.csv"))
    assert summary.updated == 1
    assert _stages(practice) == [("window", D(2025, 1, 6), D(2025, 6, 2), "not_improved"),
                                 ("special_measures", D(2025, 6, 2), D(2025, 10, 31), "practice_closed")]
    assert not Practice.objects.filter(pk=practice.pk).in_special_measures().exists()
    ended = SpecialMeasuresEpisode.objects.get(practice=practice, stage="special_measures")
    assert ended.history.first().history_change_reason == "ODS import: practice closure"
    # ODS re-opens it (a closure recorded in error): special measures go on.
    import_ods_practices(write_rows(tmp_path, [row()], "reopened.csv"))
    assert _stages(practice)[-1] == ("special_measures", D(2025, 6, 2), None, "")
    assert Practice.objects.filter(pk=practice.pk).in_special_measures().exists()


def test_other_changes_and_a_second_run_leave_the_episodes_alone(tmp_path, in_special_measures):
    practice = in_special_measures
    before = list(practice.episodes.values_list("pk", flat=True))
    import_ods_practices(write_rows(tmp_path, [row(name="LEES NEW NAME")], "renamed.csv"))
    import_ods_practices(write_rows(tmp_path, [row(name="LEES NEW NAME")], "again.csv"))
    assert list(practice.episodes.values_list("pk", flat=True)) == before  # not written again
    closed = write_rows(tmp_path, [row(name="LEES NEW NAME", closed="20251031", status="C")], "closed.csv")
    import_ods_practices(closed)
    after = list(practice.episodes.values_list("pk", flat=True))
    import_ods_practices(closed)
    assert list(practice.episodes.values_list("pk", flat=True)) == after  # the closure is applied once


def test_a_rejected_file_changes_no_episode(tmp_path, in_special_measures):
    practice = in_special_measures
    bad = write_rows(tmp_path, [row(closed="20251031", status="C"), row(code="P99999", status="X")], "bad.csv")
    with pytest.raises(ImportRejected):
        import_ods_practices(bad)
    assert _stages(practice)[-1] == ("special_measures", D(2025, 6, 2), None, "")


def test_closure_ends_a_corrected_episode_too(tmp_path, world):
    import_ods_practices(write_rows(tmp_path, [row()], "open.csv"))
    practice = Practice.objects.get(ods_code=CODE)
    InspectionFactory(practice=practice, publication_date=D(2025, 1, 6), overall_rating="requires_improvement",
                      well_led="inadequate", report_link_id="w")
    admin = user_for(Role.RCGP_ADMIN)
    episode_correct(practice=practice, actor=admin, reason="CQC placed the practice in special measures",
                    route="placed_by_cqc", started_on=D(2025, 1, 6), reinspection_due=D(2025, 7, 6))
    import_ods_practices(write_rows(tmp_path, [row(closed="20251031", status="C")], "closed.csv"))
    assert not Practice.objects.filter(pk=practice.pk).in_special_measures().exists()
