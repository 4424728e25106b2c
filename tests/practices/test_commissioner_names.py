"""Commissioners shown by name: from the CQC records (odsCcgName, onspdIcbName), from an ODS organisation file,
or, with no known name, labelled as a code ("Sub-ICB location 00Y — name not known")."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from simple_history.utils import get_history_model_for_model

from core.roles import Role
from practices.imports.common import ImportRejected
from practices.imports.cqc import import_cqc_ratings
from practices.imports.ods import import_ods_practices
from practices.imports.ods_organisations import import_ods_organisations
from practices.models import Commissioner, CommissionerName
from practices.selectors import commissioner_labels

from ..conftest import CQC_SAMPLE, ODS_SAMPLE
from ..factories import CommissionerFactory, PracticeFactory
from .test_import_cqc import LOCATION, write

pytestmark = pytest.mark.django_db

# The ODS standard layout (as eccg.csv, the sub-ICB locations file): headerless, quoted, code then name.
ODS_ROWS = [
    ["00Y", "NHS GREATER MANCHESTER ICB - 00Y", "Y62", "QOP", "GROUND FLOOR", "OLDHAM", "", "", "", "OL1 1XX",
     "20220701", "", "", "", "", "", "", "", "", "", "", "0", "", "", "", "", ""],
    ["QOP", "NHS GREATER MANCHESTER INTEGRATED CARE BOARD", "Y62", "", "", "", "", "", "", "M1 3BN",
     "20220701", "", "", "", "", "", "", "", "", "", "", "0", "", "", "", "", ""],
    ["16C", "NHS NORTH EAST AND NORTH CUMBRIA ICB - 16C", "Y63", "QHM", "", "", "", "", "", "TS1 1AA",
     "20220701", "", "", "", "", "", "", "", "", "", "", "0", "", "", "", "", ""],
]


def ods_file(tmp_path, rows, name="eccg.csv"):
    path = tmp_path / name
    with open(path, "w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return path


def label_of(code):
    return Commissioner.objects.get(ods_code=code).label


def test_the_real_cqc_records_name_the_sub_icb_location_and_its_icb():
    import_ods_practices(ODS_SAMPLE)
    assert label_of("00Y") == "Sub-ICB location 00Y — name not known"
    assert label_of("QOP") == "ICB QOP — name not known"
    import_cqc_ratings(CQC_SAMPLE)
    # odsCcgName names 00Y by its own code (and already carries the code: not repeated).
    assert label_of("00Y") == "NHS Greater Manchester Icb - 00Y"
    # onspdIcbName names the ICB of the records' practices (their sub-ICB location's parent, QOP).
    assert label_of("QOP") == "NHS Greater Manchester Integrated Care Board (QOP)"
    assert CommissionerName.objects.get(ods_code="00Y").source == CommissionerName.Source.CQC
    assert CommissionerName.objects.get(ods_code="00Y").source_file == CQC_SAMPLE.name
    # Commissioners no record names keep their code label.
    assert label_of("16C") == "Sub-ICB location 16C — name not known"


def test_an_ods_organisation_file_names_commissioners_and_outranks_cqc(tmp_path):
    import_ods_practices(ODS_SAMPLE)
    import_cqc_ratings(CQC_SAMPLE)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ods_organisations", str(ods_file(tmp_path, ODS_ROWS)), stdout=out, stderr=err)
    assert out.getvalue().strip() == "created=1 updated=2 unchanged=0 rejected=0 skipped=0"
    assert label_of("00Y") == "NHS GREATER MANCHESTER ICB - 00Y"
    assert label_of("QOP") == "NHS GREATER MANCHESTER INTEGRATED CARE BOARD (QOP)"
    assert label_of("16C") == "NHS NORTH EAST AND NORTH CUMBRIA ICB - 16C"
    assert CommissionerName.objects.get(ods_code="16C").source == CommissionerName.Source.ODS
    # The rename is in the commissioner's history, with its source.
    history = get_history_model_for_model(Commissioner).objects.filter(ods_code="16C").latest("history_date")
    assert history.history_change_reason == "name from ODS organisation file"
    # A CQC import afterwards does not undo the register's name.
    import_cqc_ratings(CQC_SAMPLE)
    assert label_of("00Y") == "NHS GREATER MANCHESTER ICB - 00Y"
    # The same file again changes nothing.
    out = io.StringIO()
    call_command("import_ods_organisations", str(ods_file(tmp_path, ODS_ROWS)), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "created=0 updated=0 unchanged=3 rejected=0 skipped=0"


def test_a_file_with_a_header_row_is_read_by_its_column_names(tmp_path):
    CommissionerFactory(ods_code="15N", name="15N")
    path = ods_file(tmp_path, [["Name", "Organisation Code"], ["NHS Devon ICB - 15N", "15N"]], "sub-icb.csv")
    summary = import_ods_organisations(path)
    assert (summary.created, summary.rejected) == (1, 0)
    assert label_of("15N") == "NHS Devon ICB - 15N"


def test_names_read_before_the_practice_file_name_the_commissioners_it_creates(tmp_path):
    import_ods_organisations(ods_file(tmp_path, ODS_ROWS))
    assert not Commissioner.objects.exists()  # names are kept by code, for commissioners still to come
    import_ods_practices(ODS_SAMPLE)
    assert label_of("00Y") == "NHS GREATER MANCHESTER ICB - 00Y"
    assert label_of("QOP") == "NHS GREATER MANCHESTER INTEGRATED CARE BOARD (QOP)"


def test_with_no_known_name_the_code_is_labelled_as_a_code():
    CommissionerFactory(ods_code="00Y", name="00Y", kind=Commissioner.Kind.SUB_ICB)
    CommissionerFactory(ods_code="QOP", name="QOP", kind=Commissioner.Kind.ICB)
    CommissionerFactory(ods_code="01A", name="NHS Example", kind=Commissioner.Kind.CCG)
    assert str(Commissioner.objects.get(ods_code="00Y")) == "Sub-ICB location 00Y — name not known"
    assert label_of("QOP") == "ICB QOP — name not known"
    assert label_of("01A") == "NHS Example (01A)"
    assert commissioner_labels(["00Y", "01A", "99Z", None]) == {
        "00Y": "Sub-ICB location 00Y — name not known", "01A": "NHS Example (01A)",
        "99Z": "Sub-ICB location 99Z — name not known"}


def test_labels_for_codes_take_one_query_when_every_code_is_a_commissioner(django_assert_num_queries):
    for n in range(20):
        CommissionerFactory(ods_code=f"{n:02d}X")
    with django_assert_num_queries(1):
        labels = commissioner_labels(f"{n:02d}X" for n in range(20))
    assert labels["07X"] == "Commissioner 07X"


def test_a_malformed_organisation_file_saves_nothing_and_gives_every_reason(tmp_path):
    CommissionerFactory(ods_code="00Y", name="00Y")
    rows = [ODS_ROWS[0], ["not a code", "SOMEWHERE"], ["16C", ""], ["QOP"],
            ["00Y", "ANOTHER NAME FOR 00Y"]]
    path = ods_file(tmp_path, rows)
    with pytest.raises(ImportRejected) as rejected:
        import_ods_organisations(path)
    assert [str(e) for e in rejected.value.summary.errors] == [
        "eccg.csv:2: code (column 1): 'not a code' is not an ODS organisation code (3 to 5 capital letters or digits)",
        "eccg.csv:3: name (column 2): is empty",
        "eccg.csv:4: row: expected at least 2 fields, found 1",
        "eccg.csv:5: code (column 1): 00Y already appears on line 1 with another name",
    ]
    assert not CommissionerName.objects.exists() and label_of("00Y") == "Sub-ICB location 00Y — name not known"
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ods_organisations", str(path), stdout=io.StringIO(), stderr=err)
    assert "rejected eccg.csv:3: name (column 2): is empty" in err.getvalue()
    assert "Nothing was saved from" in err.getvalue()


def test_an_empty_organisation_file_is_refused(tmp_path):
    with pytest.raises(ImportRejected) as rejected:
        import_ods_organisations(ods_file(tmp_path, []))
    assert [str(e) for e in rejected.value.summary.errors] == ["eccg.csv: file: has no organisations"]


def test_a_cqc_record_with_a_malformed_commissioner_code_rejects_the_import(tmp_path):
    PracticeFactory(ods_code="Z00001", commissioner=CommissionerFactory(ods_code="00Y", name="00Y"))
    record = json.loads(json.dumps(LOCATION))
    record.update(odsCcgCode="00 Y", odsCcgName="NHS Somewhere")
    with pytest.raises(ImportRejected) as rejected:
        import_cqc_ratings(write(tmp_path, record))
    assert [str(e) for e in rejected.value.summary.errors] == [
        "location_1-100.json: odsCcgCode: '00 Y' is not an ODS commissioner code (3 to 5 capital letters or digits)"]
    assert not CommissionerName.objects.exists() and label_of("00Y") == "Sub-ICB location 00Y — name not known"


def test_a_cqc_name_does_not_replace_a_name_someone_gave(tmp_path):
    PracticeFactory(ods_code="Z00001", commissioner=CommissionerFactory(ods_code="00Y", name="NHS Oldham"))
    record = dict(LOCATION, odsCcgCode="00Y", odsCcgName="NHS Greater Manchester Icb - 00Y")
    import_cqc_ratings(write(tmp_path, record))
    assert label_of("00Y") == "NHS Oldham (00Y)"
    assert CommissionerName.objects.get(ods_code="00Y").name == "NHS Greater Manchester Icb - 00Y"  # kept by code


def test_the_practice_filter_and_rows_show_names(client, world):
    unnamed = CommissionerFactory(ods_code="00Y", name="00Y")
    PracticeFactory(commissioner=unnamed, name="Unnamed Commissioner's Practice")
    client.force_login(world["users"][Role.NHSE_REPORTING])
    response = client.get(reverse("practices:list"))
    options = [label for _value, label in response.context["form"].fields["commissioner"].choices][1:]
    # Named first, by name; then those known only by code.
    assert [str(label) for label in options] == [
        "Commissioner 01A", "Commissioner 02B", "Sub-ICB location 00Y — name not known"]
    html = response.content.decode()
    assert "Sub-ICB location 00Y — name not known" in html
    rows = list(csv.reader(io.StringIO(client.get(reverse("practices:list"), {"format": "csv"})
                                       .content.decode("utf-8-sig"))))
    assert {row[3] for row in rows[1:]} == {"Commissioner 01A", "Commissioner 02B",
                                           "Sub-ICB location 00Y — name not known"}
