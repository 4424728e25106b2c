import csv
import io

import pytest
from django.core.management import CommandError, call_command
from simple_history.utils import get_history_model_for_model

from practices.imports.common import ImportRejected
from practices.imports.ods import import_ods_practices
from practices.models import Commissioner, Practice

from ..conftest import ODS_SAMPLE

pytestmark = pytest.mark.django_db

GOOD_ROW = ["P85022", "LEES MEDICAL PRACTICE", "Y62", "QOP", "ATHENS WAY", "LEES", "OLDHAM", "", "", "OL4 3BP",
            "19740401", "", "A", "B", "00Y", "20130401", "", "0161 6521285", "", "", "", "0", "", "00Y", "", "4", ""]


def write_rows(tmp_path, rows, name="epraccur.csv"):
    path = tmp_path / name
    with open(path, "w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return path


def row(**changes):
    values = list(GOOD_ROW)
    columns = {"code": 0, "name": 1, "opened": 10, "closed": 11, "status": 12, "subtype": 13, "commissioner": 14,
               "setting": 25}
    for key, value in changes.items():
        values[columns[key]] = value
    return values


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ods_practices", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sample_gp_rows():
    with open(ODS_SAMPLE, newline="") as handle:
        return [r for r in csv.reader(handle) if r[25] == "4" and r[13] == "B"]


def test_real_sample_imports_every_gp_practice_row_and_a_second_run_changes_nothing():
    expected = sample_gp_rows()
    out, _ = run_command(ODS_SAMPLE)
    assert out.strip() == f"created={len(expected)} updated=0 unchanged=0 rejected=0 skipped={1879 - len(expected)}"
    assert Practice.objects.count() == len(expected) == 1005
    assert set(Practice.objects.values_list("ods_code", flat=True)) == {r[0] for r in expected}

    history_rows = get_history_model_for_model(Practice).objects.count()
    out, _ = run_command(ODS_SAMPLE)
    assert out.strip() == "created=0 updated=0 unchanged=1005 rejected=0 skipped=874"
    assert get_history_model_for_model(Practice).objects.count() == history_rows


def test_fields_and_commissioners_come_from_the_file():
    run_command(ODS_SAMPLE)
    practice = Practice.objects.select_related("commissioner__parent").get(ods_code="P85022")
    assert practice.name == "LEES MEDICAL PRACTICE"
    assert practice.postcode == "OL4 3BP"
    assert practice.address_line_1 == "ATHENS WAY"
    assert practice.opened_on.isoformat() == "1974-04-01"
    assert practice.status == Practice.Status.ACTIVE
    assert practice.commissioner.ods_code == "00Y"
    assert practice.commissioner.kind == Commissioner.Kind.SUB_ICB
    assert practice.commissioner.parent.ods_code == "QOP"
    assert practice.commissioner.parent.kind == Commissioner.Kind.ICB
    closed = Practice.objects.get(ods_code="P85001")
    assert closed.status == Practice.Status.CLOSED and closed.closed_on is not None
    # Apostrophes and commas inside quoted fields survive.
    assert Practice.objects.filter(name="ST MARY'S MEDICAL CENTRE").exists()


def test_all_settings_includes_other_prescribing_settings_but_never_unlinked_cost_centres():
    out, _ = run_command(ODS_SAMPLE, "--all-settings")
    assert out.strip() == "created=1860 updated=0 unchanged=0 rejected=0 skipped=19"


def test_changed_row_is_updated_and_history_records_it(tmp_path):
    path = write_rows(tmp_path, [GOOD_ROW])
    import_ods_practices(path)
    summary = import_ods_practices(write_rows(tmp_path, [row(name="LEES NEW NAME")], "changed.csv"))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    practice = Practice.objects.get(ods_code="P85022")
    assert practice.name == "LEES NEW NAME"
    assert [h.name for h in practice.history.order_by("history_date")] == ["LEES MEDICAL PRACTICE", "LEES NEW NAME"]


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        (GOOD_ROW[:20], "row", "expected 27 fields, found 20"),
        (row(code="P8502"), "practice code (column 1)", "not an ODS practice code"),
        (row(opened="20230231"), "open date (column 11)", "not a valid date"),
        (row(closed="2023-01-01"), "close date (column 12)", "not a valid date"),
        (row(status="X"), "status (column 13)", "not one of A, C, D, P"),
        (row(setting="four"), "prescribing setting (column 26)", "not a number"),
        (row(commissioner=""), "commissioner (column 15)", "is empty"),
        (row(name=""), "name (column 2)", "is empty"),
    ],
)
def test_a_malformed_row_rejects_the_whole_file_naming_file_line_and_field(tmp_path, bad_row, field, message):
    good_other = row(code="P85019", name="ROYTON MEDICAL CENTRE")
    path = write_rows(tmp_path, [good_other, GOOD_ROW, bad_row], "bad.csv")
    with pytest.raises(CommandError) as raised:
        run_command(path)
    assert raised.value.returncode == 2
    with pytest.raises(ImportRejected) as rejected:
        import_ods_practices(path)
    [error] = rejected.value.summary.errors
    assert (error.source, error.line, error.field) == ("bad.csv", 3, field)
    assert message in error.message
    assert f"bad.csv:3: {field}:" in str(error)
    assert Practice.objects.count() == 0
    assert Commissioner.objects.count() == 0


def test_a_duplicate_code_is_rejected_with_both_lines(tmp_path):
    path = write_rows(tmp_path, [GOOD_ROW, GOOD_ROW])
    with pytest.raises(ImportRejected) as rejected:
        import_ods_practices(path)
    [error] = rejected.value.summary.errors
    assert error.line == 2 and "already appears on line 1" in error.message


def test_rejection_output_lists_errors_and_summary(tmp_path, capsys):
    path = write_rows(tmp_path, [GOOD_ROW, row(code="BAD", status="Q")], "two.csv")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ods_practices", str(path), stdout=out, stderr=err)
    assert "rejected two.csv:2: practice code (column 1)" in err.getvalue()
    assert "rejected two.csv:2: status (column 13)" in err.getvalue()
    assert "Nothing was saved" in err.getvalue()
    assert out.getvalue().strip() == "created=0 updated=0 unchanged=0 rejected=1 skipped=0"


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_command(tmp_path / "nope.csv")
