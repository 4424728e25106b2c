"""Generated bad input for every importer: no crash, a clear rejection with a line number, nothing partial."""

import csv
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.imports import import_contracts
from contracts.models import Contract
from practices.imports.common import ImportRejected
from practices.imports.cqc import import_cqc_ratings
from practices.imports.list_sizes import import_list_sizes
from practices.imports.ods import import_ods_practices
from practices.models import Inspection, Practice

from ..factories import PracticeFactory

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

field = st.one_of(st.text(max_size=12), st.sampled_from(["", "A", "4", "P85022", "20230231", "00Y", "B", "Z",
                                                          "19740401", "good", "live", "ended", "yes"]))


def write_csv(rows, header=None):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return Path(handle.name)


def run(importer, path, counted):
    """Import; on rejection every error names a line (or the file) and nothing was saved."""
    before = counted()
    try:
        importer(path)
    except ImportRejected as exc:
        assert exc.summary.rejected >= 1 and exc.summary.errors
        for error in exc.summary.errors:
            assert error.source == path.name and error.field and error.message
        assert counted() == before
    finally:
        path.unlink()


@FUZZ
@given(st.lists(st.lists(field, min_size=0, max_size=30), min_size=1, max_size=8))
def test_ods_importer_survives_generated_files(rows):
    run(import_ods_practices, write_csv(rows), lambda: Practice.objects.count())


CONTRACT_HEADER = ["reference", "practice_ods_code", "programme", "commissioned_on", "status", "ended_on", "end_reason",
                   "rating_before", "rating_after", "in_special_measures_after", "closure", "notes"]


@FUZZ
@given(st.lists(st.lists(field, min_size=0, max_size=14), min_size=1, max_size=6), st.booleans())
def test_contract_importer_survives_generated_files(rows, with_header):
    if not Practice.objects.filter(ods_code="P85022").exists():
        PracticeFactory(ods_code="P85022")
    run(import_contracts, write_csv(rows, CONTRACT_HEADER if with_header else None),
        lambda: Contract.objects.count())


@FUZZ
@given(st.lists(st.lists(field, min_size=0, max_size=12), min_size=0, max_size=6))
def test_list_size_importer_survives_generated_files(rows):
    header = ["PUBLICATION", "EXTRACT_DATE", "TYPE", "CCG_CODE", "ONS_CCG_CODE", "CODE", "POSTCODE", "SEX", "AGE",
              "NUMBER_OF_PATIENTS"]
    run(import_list_sizes, write_csv(rows, header), lambda: list(Practice.objects.values_list("list_size")))


json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10),
                                    st.sampled_from(["Good", "Inadequate", "No published rating", "2024-02-30",
                                                     "1-123", "Safe", "old"])),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                              st.sampled_from(["overall", "rating", "reportDate", "keyQuestionRatings", "name",
                                               "serviceRatings", "reportLinkId", "odsCode"]), inner, max_size=4),
                          max_leaves=12)


@FUZZ
@given(st.dictionaries(st.sampled_from(["locationId", "odsCode", "currentRatings", "historicRatings", "reports",
                                        "registrationStatus", "registrationDate"]), json_value, max_size=7))
def test_cqc_importer_survives_generated_records(record):
    if not Practice.objects.filter(ods_code="P85022").exists():
        PracticeFactory(ods_code="P85022")
    record.setdefault("odsCode", "P85022")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(record, handle)
    run(import_cqc_ratings, Path(handle.name), lambda: Inspection.objects.count())

