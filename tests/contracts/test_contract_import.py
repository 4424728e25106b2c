import csv
import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from simple_history.utils import get_history_model_for_model

from contracts.imports import COLUMNS, import_contracts, parent_reference
from contracts.models import Contract
from contracts.vocabulary import Closure, EndReason, Outcome
from contracts.workflow import State
from practices.imports.common import ImportRejected

from ..conftest import ROOT
from ..factories import CommissionerFactory, PracticeFactory

pytestmark = pytest.mark.django_db

HANDMADE = ROOT / "tests" / "data" / "contracts_handmade.csv"
HANDMADE_ROWS = 21
GOOD_ROW = {
    "reference": "50", "practice_ods_code": "A10001", "programme": "special_measures",
    "commissioned_on": "2020-01-06", "status": "live", "ended_on": "", "end_reason": "",
    "rating_before": "inadequate", "rating_after": "", "in_special_measures_after": "", "closure": "none",
    "notes": "",
}
ENDED_ROW = dict(GOOD_ROW, reference="51", status="ended", ended_on="2020-06-30",
                 end_reason="carried_forward_for_reinspection", rating_after="good", in_special_measures_after="no")


def handmade_practices():
    """The practices the hand-made file names: A1000x under 01A, B2000x under 02B."""
    own, other = CommissionerFactory(ods_code="01A"), CommissionerFactory(ods_code="02B")
    for code in ("A10001", "A10002", "A10003", "A10004"):
        PracticeFactory(ods_code=code, commissioner=own)
    for code in ("B20001", "B20002", "B20003"):
        PracticeFactory(ods_code=code, commissioner=other)
    return own, other


@pytest.fixture
def practices():
    return handmade_practices()


def row(base=GOOD_ROW, **changes):
    return dict(base, **changes)


def write_csv(tmp_path, rows, name="contracts.csv", header=COLUMNS):
    path = tmp_path / name
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for values in rows:
            writer.writerow([values.get(column, "") for column in header] if isinstance(values, dict) else values)
    return path


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contracts", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def history_count():
    return get_history_model_for_model(Contract).objects.count()


def test_handmade_file_imports_every_row_and_a_second_run_changes_nothing(practices):
    out, _ = run_command(HANDMADE)
    assert out.strip() == f"created={HANDMADE_ROWS} updated=0 unchanged=0 rejected=0 skipped=0"
    assert Contract.objects.count() == HANDMADE_ROWS
    assert history_count() == HANDMADE_ROWS

    out, _ = run_command(HANDMADE)
    assert out.strip() == f"created=0 updated=0 unchanged={HANDMADE_ROWS} rejected=0 skipped=0"
    assert history_count() == HANDMADE_ROWS


def test_fields_come_from_the_file(practices):
    own, other = practices
    import_contracts(HANDMADE)
    by_ref = {c.reference: c for c in Contract.objects.select_related("practice", "commissioner")}

    six = by_ref["6"]
    assert (six.practice.ods_code, six.commissioner, six.programme) == ("A10004", own, "special_measures")
    assert six.state == State.CLOSED and six.status == "ended"
    assert six.commissioned_on.isoformat() == "2017-06-12" and six.ended_on.isoformat() == "2017-10-20"
    assert six.end_reason == EndReason.CARRIED_FORWARD_FOR_REINSPECTION
    assert (six.rating_before, six.rating_after, six.in_special_measures_after) == ("inadequate", "inadequate", True)
    assert six.closure == Closure.EMERGENCY and six.outcome == Outcome.EMERGENCY_CLOSURE

    assert by_ref["3"].commissioner == other and by_ref["3"].in_special_measures_after is False
    assert by_ref["31"].in_special_measures_after is None
    assert by_ref["31"].outcome == Outcome.REQUIRES_IMPROVEMENT_EXITED_SM
    assert by_ref["2"].closure == Closure.NONE and by_ref["12"].closure == Closure.NONE
    assert by_ref["11"].awaiting_reinspection is True and by_ref["11"].outcome is None
    assert (by_ref["31B"].state, by_ref["31B"].ended_on, by_ref["31B"].end_reason) == (State.COMMISSIONED, None, "")
    assert by_ref["13"].state == State.ENQUIRY and by_ref["13"].status == "enquiry"
    assert by_ref["14"].rating_before == "" and by_ref["R4"].programme == "resilience"
    assert by_ref["8"].notes == 'Withdrew early; a later Good rating is not an outcome of "completed" support.'
    assert by_ref["10"].notes == "Partners in dispute, support ended."
    assert by_ref["12"].notes == ""


def test_follow_ons_link_to_their_parents(practices):
    import_contracts(HANDMADE)
    by_ref = {c.reference: c for c in Contract.objects.all()}
    assert by_ref["31A"].parent == by_ref["31"]
    assert by_ref["31B"].parent == by_ref["31A"]
    assert by_ref["31"].parent is None
    assert set(Contract.objects.filter(parent__isnull=False).values_list("reference", flat=True)) == {"31A", "31B"}
    # Created with their parent: no second history row to attach it.
    assert by_ref["31B"].history.count() == 1 and by_ref["31B"].history.get().parent_id == by_ref["31A"].pk


def test_follow_on_of_an_already_imported_contract_and_out_of_order_rows(tmp_path, practices):
    import_contracts(write_csv(tmp_path, [row(reference="40")], "first.csv"))
    summary = import_contracts(write_csv(tmp_path, [row(reference="40B"), row(reference="40A")], "second.csv"))
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    by_ref = {c.reference: c for c in Contract.objects.all()}
    assert by_ref["40A"].parent == by_ref["40"]
    assert by_ref["40B"].parent == by_ref["40A"]


@pytest.mark.parametrize(
    ("reference", "parent"),
    [("31", None), ("31A", "31"), ("31B", "31A"), ("31C", "31B"), ("SM-7A", "SM-7"), ("R1", None), ("ABC", None)],
)
def test_parent_reference(reference, parent):
    assert parent_reference(reference) == parent


def test_changed_row_is_updated_and_history_records_it(tmp_path, practices):
    import_contracts(HANDMADE)
    text = HANDMADE.read_text().replace(
        "31B,B20002,special_measures,2020-06-01,live,,,good,,,none,Follow-on of 31A.",
        "31B,B20002,special_measures,2020-06-01,ended,2020-12-18,gp_retired,good,,,none,Follow-on of 31A.",
    )
    changed = tmp_path / "changed.csv"
    changed.write_text(text)
    summary = import_contracts(changed)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, HANDMADE_ROWS - 1)
    contract = Contract.objects.get(reference="31B")
    assert (contract.state, contract.end_reason, contract.ended_on.isoformat()) == (
        State.CLOSED, EndReason.GP_RETIRED, "2020-12-18")
    assert [h.state for h in contract.history.order_by("history_date")] == [State.COMMISSIONED, State.CLOSED]
    assert history_count() == HANDMADE_ROWS + 1


def test_a_contract_further_along_the_workflow_keeps_its_state_while_its_status_matches(tmp_path, practices):
    """A live contract that has moved on to scoping is still 'live': re-importing must not reset it."""
    import_contracts(HANDMADE)
    Contract.objects.filter(reference="12").update(state=State.SCOPING)
    Contract.objects.filter(reference="10").update(state=State.WITHDRAWN)
    summary = import_contracts(HANDMADE)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, HANDMADE_ROWS)
    assert Contract.objects.get(reference="12").state == State.SCOPING
    assert Contract.objects.get(reference="10").state == State.WITHDRAWN


def test_a_changed_practice_moves_the_contract_to_that_practices_commissioner(tmp_path, practices):
    own, other = practices
    import_contracts(write_csv(tmp_path, [row()], "first.csv"))
    summary = import_contracts(write_csv(tmp_path, [row(practice_ods_code="B20001")], "second.csv"))
    assert summary.updated == 1
    contract = Contract.objects.get(reference="50")
    assert (contract.practice.ods_code, contract.commissioner) == ("B20001", other)


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        (row(reference=""), "reference", "is empty"),
        (row(reference="X" * 21), "reference", "longer than 20 characters"),
        (row(reference="77A"), "reference", "77A follows on from 77, which is neither in this file nor already"),
        (row(practice_ods_code=""), "practice_ods_code", "is empty"),
        (row(practice_ods_code="Z99999"), "practice_ods_code", "no practice with ODS code Z99999"),
        (row(programme="special measures"), "programme", "'special measures' is not one of special_measures, "),
        (row(programme=""), "programme", "'' is not one of"),
        (row(commissioned_on=""), "commissioned_on", "is empty"),
        (row(commissioned_on="2023-02-30"), "commissioned_on", "'2023-02-30' is not a valid date (YYYY-MM-DD)"),
        (row(commissioned_on="06/01/2020"), "commissioned_on", "not a valid date (YYYY-MM-DD)"),
        (row(commissioned_on="2020-1-6"), "commissioned_on", "not a valid date (YYYY-MM-DD)"),
        (row(status="closed"), "status", "'closed' is not one of enquiry, live, ended"),
        (row(status="live", ended_on="2020-06-30"), "ended_on", "only an ended contract has an end date"),
        (row(status="enquiry", ended_on="2020-06-30"), "ended_on", "(status is enquiry)"),
        (row(ENDED_ROW, ended_on="2020-13-01"), "ended_on", "not a valid date"),
        (row(ENDED_ROW, ended_on="2019-12-31"), "ended_on", "2019-12-31 is before commissioned_on 2020-01-06"),
        (row(status="live", end_reason="other"), "end_reason", "only an ended contract has an end reason"),
        (row(status="enquiry", end_reason="gp_retired"), "end_reason", "(status is enquiry)"),
        (row(ENDED_ROW, end_reason="retired"), "end_reason", "'retired' is not one of early_withdrawal, gp_retired"),
        (row(ENDED_ROW, end_reason=""), "end_reason", "an ended contract needs an end reason"),
        (row(rating_before="poor"), "rating_before", "'poor' is not one of inadequate, requires_improvement"),
        (row(rating_after="Good"), "rating_after", "'Good' is not one of"),
        (row(in_special_measures_after="true"), "in_special_measures_after", "'true' is not one of yes, no (or"),
        (row(closure="sudden"), "closure", "'sudden' is not one of none, emergency, with_notice (or empty)"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_naming_file_line_and_field(tmp_path, practices, bad_row, field, message):
    path = write_csv(tmp_path, [ENDED_ROW, bad_row], "bad.csv")
    with pytest.raises(CommandError) as raised:
        run_command(path)
    assert raised.value.returncode == 2
    with pytest.raises(ImportRejected) as rejected:
        import_contracts(path)
    [error] = rejected.value.summary.errors
    assert (error.source, error.line, error.field) == ("bad.csv", 3, field)
    assert message in error.message
    assert f"bad.csv:3: {field}: " in str(error)
    assert Contract.objects.count() == 0
    assert history_count() == 0


def test_a_duplicate_reference_is_rejected_naming_the_first_line(tmp_path, practices):
    path = write_csv(tmp_path, [row(), ENDED_ROW, row(status="enquiry")])
    with pytest.raises(ImportRejected) as rejected:
        import_contracts(path)
    [error] = rejected.value.summary.errors
    assert (error.line, error.field, error.message) == (4, "reference", "50 already appears on line 2")
    assert Contract.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([c for c in COLUMNS if c != "closure"], "missing column(s) closure"),
        ([*COLUMNS, "value"], "unexpected column(s) value"),
        (["ref", *COLUMNS[1:]], "missing column(s) reference; unexpected column(s) ref"),
        ([*COLUMNS, "notes"], "repeated column(s) notes"),
    ],
)
def test_a_wrong_header_is_rejected_on_line_1(tmp_path, practices, header, message):
    path = write_csv(tmp_path, [[GOOD_ROW.get(c, "x") for c in header]], header=header)
    with pytest.raises(ImportRejected) as rejected:
        import_contracts(path)
    [error] = rejected.value.summary.errors
    assert (error.source, error.line, error.field) == ("contracts.csv", 1, "header")
    assert message in error.message
    assert Contract.objects.count() == 0


def test_an_empty_file_is_rejected(tmp_path, practices):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ImportRejected) as rejected:
        import_contracts(path)
    assert rejected.value.summary.errors[0].line == 1


@pytest.mark.parametrize(("values", "found"), [(list(GOOD_ROW.values())[:10], 10),
                                               ([*GOOD_ROW.values(), "extra"], 13)])
def test_a_row_with_the_wrong_number_of_fields_is_rejected(tmp_path, practices, values, found):
    path = write_csv(tmp_path, [values])
    with pytest.raises(ImportRejected) as rejected:
        import_contracts(path)
    [error] = rejected.value.summary.errors
    assert (error.line, error.field, error.message) == (2, "row", f"expected 12 fields, found {found}")


def test_blank_lines_and_surrounding_spaces_are_ignored(tmp_path, practices):
    path = tmp_path / "spaced.csv"
    path.write_text(",".join(COLUMNS) + "\n\n" + " 60 , A10001 ,special_measures, 2020-01-06 ,live,,,,,,,\n")
    summary = import_contracts(path)
    assert summary.created == 1
    assert Contract.objects.get(reference="60").practice.ods_code == "A10001"


def test_rejection_output_lists_every_error_and_saves_nothing(tmp_path, practices):
    path = write_csv(tmp_path, [row(programme="sm", status="over"), ENDED_ROW, row(reference="52", closure="x")],
                     "two.csv")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_contracts", str(path), stdout=out, stderr=err)
    assert raised.value.returncode == 2
    assert "rejected two.csv:2: programme: 'sm' is not one of" in err.getvalue()
    assert "rejected two.csv:2: status: 'over' is not one of enquiry, live, ended" in err.getvalue()
    assert "rejected two.csv:4: closure: 'x' is not one of" in err.getvalue()
    assert "Nothing was saved from" in err.getvalue()
    assert out.getvalue().strip() == "created=0 updated=0 unchanged=0 rejected=2 skipped=0"
    assert Contract.objects.count() == 0


def test_a_bad_row_after_good_ones_already_in_the_database_changes_nothing(tmp_path, practices):
    import_contracts(HANDMADE)
    bad = tmp_path / "bad.csv"
    shutil.copy(HANDMADE, bad)
    with open(bad, "a") as handle:
        handle.write("R5,A10001,resilience,2021-05-04,ended,,,,,,,\n")
    Contract.objects.filter(reference="1").update(notes="edited")
    with pytest.raises(ImportRejected):
        import_contracts(bad)
    assert Contract.objects.count() == HANDMADE_ROWS
    assert Contract.objects.get(reference="1").notes == "edited"


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_command(tmp_path / "nope.csv")
