"""Information governance: spot patient-identifiable data in free text before it is saved.

Reports and plans must not carry it. An NHS number is ten digits (often written 3-3-4) whose last
digit is the modulus-11 check digit of the first nine; a date of birth is a date next to words like
"DOB" or "born". Matches produce warnings the writer must confirm, not silent changes.
"""

import re

NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
DATE = r"(\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{1,2}(st|nd|rd|th)?\s+[A-Za-z]{3,9}\s+\d{4}|\d{4}-\d{2}-\d{2})"
DATE_OF_BIRTH = re.compile(
    rf"\b(d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(\s+on)?|birth\s*date)\b[\s:,-]*(?P<date>{DATE})", re.IGNORECASE)


def is_valid_nhs_number(digits):
    """The NHS modulus-11 check: weights 10..2 over the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_identifiers(text):
    """Warnings for what looks like patient-identifiable data in ``text``."""
    warnings = []
    for match in NHS_NUMBER.finditer(text or ""):
        digits = "".join(match.groups())
        if is_valid_nhs_number(digits):
            warnings.append(f"“{match.group(0)}” looks like an NHS number")
    for match in DATE_OF_BIRTH.finditer(text or ""):
        warnings.append(f"“{match.group(0)}” looks like a date of birth")
    return warnings


def identifier_warnings(fields):
    """{field label: [warnings]} for a mapping of label → text; empty when nothing was found."""
    found = {}
    for label, text in fields.items():
        warnings = find_identifiers(text if isinstance(text, str) else "")
        if warnings:
            found[label] = warnings
    return found
