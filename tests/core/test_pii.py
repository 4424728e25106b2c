"""Spotting NHS numbers and dates of birth in free text (information governance)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.pii import find_identifiers, is_valid_nhs_number


def with_check_digit(nine):
    """Append the modulus-11 check digit (worked out independently of the code under test)."""
    total = 0
    for position, digit in enumerate(nine):
        total += int(digit) * (10 - position)
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


@pytest.mark.parametrize(("number", "valid"), [
    ("9434765919", True),   # NHS Digital's published test number
    ("943 476 5919", None),  # spaced: checked through find_identifiers below
    ("9434765918", False),
    ("1234567890", False),  # check digit would be 10: never valid
    ("4010232137", True),
])
def test_modulus_11(number, valid):
    if valid is not None:
        assert is_valid_nhs_number(number) is valid


@pytest.mark.parametrize("text", [
    "Patient 943 476 5919 was not recalled", "NHS no. 943-476-5919", "ref 9434765919.",
])
def test_nhs_numbers_in_text_are_found(text):
    [warning] = find_identifiers(text)
    assert "looks like an NHS number" in warning


@pytest.mark.parametrize("text", [
    "Call 0161 652 1285 to book", "List size 9434 patients", "Order 1234567890 placed", "Budget £10,000",
    "Complete by 12/03/2027", "Born in Oldham, the practice opened in 1974",
])
def test_ordinary_numbers_and_dates_are_not_flagged(text):
    assert find_identifiers(text) == []


@pytest.mark.parametrize("text", [
    "Mrs X (DOB 12/03/1956) complained", "d.o.b: 3 March 1948", "date of birth 1950-01-31", "born on 4th June 1939",
])
def test_dates_of_birth_are_found(text):
    [warning] = find_identifiers(text)
    assert "looks like a date of birth" in warning


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_valid_generated_nhs_number_is_found(nine):
    number = with_check_digit(nine)
    if number is None:
        assert not any(is_valid_nhs_number(nine + str(d)) for d in range(10))
        return
    assert is_valid_nhs_number(number)
    assert find_identifiers(f"Patient {number[:3]} {number[3:6]} {number[6:]} seen") != []


@given(st.text())
def test_any_text_is_handled(text):
    assert isinstance(find_identifiers(text), list)


@pytest.mark.django_db
def test_report_warns_before_saving_an_nhs_number_and_saves_once_confirmed(client, docs):
    from django.urls import reverse

    from core.roles import Role

    report = docs["report"]
    client.force_login(docs["users"][Role.RCGP_ADVISER])
    data = {"version": report.part_version("findings"), "text": "Mrs A (NHS 943 476 5919) was not recalled."}
    warned = client.post(reverse("forwardplans:report_section", args=["DOC-1", "findings"]), data)
    html = warned.content.decode()
    assert warned.status_code == 422 and "looks like an NHS number" in html
    assert 'name="confirm_no_patient_data"' in html
    report.refresh_from_db()
    assert report.findings == "Governance gaps."  # nothing saved yet
    confirmed = client.post(reverse("forwardplans:report_section", args=["DOC-1", "findings"]),
                            {**data, "confirm_no_patient_data": "on"})
    assert confirmed.status_code == 302
    report.refresh_from_db()
    assert "943 476 5919" in report.findings


@pytest.mark.django_db
def test_progress_note_with_a_date_of_birth_is_held_back_in_place(client, docs):
    from django.urls import reverse

    from core.roles import Role
    from forwardplans.models import ProgressEntry

    client.force_login(docs["users"][Role.PRACTICE_USER])
    url = reverse("forwardplans:action_progress", args=[docs["action"].pk])
    response = client.post(url, {"text": "Called Mr B, DOB 01/02/1950", "version": docs["action"].version},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "looks like a date of birth" in html and "Called Mr B, DOB 01/02/1950" in html
    assert not ProgressEntry.objects.exists()
