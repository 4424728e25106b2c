"""The service's form conventions: the NHS date input field and error messages that name their field.

Every form in the service mixes in ``NhsErrorMessages``: a required, invalid or out-of-range answer is reported
in the NHS.UK style ("Enter the planned completion date", "Select the CQC key question") instead of Django's
"This field is required.". A message given explicitly on a field (``error_messages=``) is kept.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

DATE_PARTS = ("day", "month", "year")


def _join_parts(parts):
    """["day", "month"] -> "a day and month"; ["month", "year"] -> "a month and year"."""
    if len(parts) == 1:
        return f"a {parts[0]}"
    return "a " + ", ".join(parts[:-1]) + " and " + parts[-1]


def _subject_from_label(label):
    """A field's label as the object of "Enter …": "Planned completion date" -> "the planned completion date".

    Asides in brackets are dropped ("Date (leave empty for today)" -> "the date"); a question label cannot be
    turned round reliably, so it is quoted (forms name such fields in ``error_subjects``).
    """
    text = re.sub(r"\s*\([^)]*\)", "", str(label or "")).strip().rstrip(":.")
    if not text:
        return "an answer"
    if text.endswith("?"):
        return f"an answer to ‘{text}’"
    # Lower the first letter unless it starts an acronym ("CQC key question", "RAG status").
    if not (len(text) > 1 and text[1].isupper()):
        text = text[0].lower() + text[1:]
    return f"the {text}"


def _capitalised(subject):
    """"the planned completion date" -> "Planned completion date" (the subject opening a sentence)."""
    text = subject.removeprefix("the ").removeprefix("an ").removeprefix("a ")
    return text[0].upper() + text[1:] if text else text


class DayMonthYearWidget(forms.Widget):
    """Reads the NHS date input's three boxes: ``<name>-day``, ``<name>-month``, ``<name>-year``.

    A single ISO value ("2027-01-31") posted under the field's own name is read too: scripts, the API-minded
    and older tests post dates that way. Templates draw the boxes (choices.jinja's dateField), not the widget.
    """

    def value_from_datadict(self, data, files, name):
        parts = [str(data.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS]
        if any(parts):
            return parts
        single = str(data.get(name, "")).strip()
        return single or None

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}-{part}" in data for part in DATE_PARTS)


class DayMonthYearField(forms.Field):
    """A date entered as day, month and year (the NHS.UK date input pattern), the one date pattern of the service.

    Messages follow the NHS date input guidance: "Enter <subject>", "<Subject> must include a month",
    "<Subject> must be a real date", "Year must include 4 numbers". The subject comes from ``subject=`` or
    the label.
    """

    widget = DayMonthYearWidget
    is_date_input = True  # forms.jinja's textField renders the three boxes for fields that say so.

    def __init__(self, *, subject=None, **kwargs):
        self.explicit_messages = dict(kwargs.get("error_messages") or {})
        super().__init__(**kwargs)
        self.subject = subject
        self.fill_messages(subject or (_subject_from_label(self.label) if self.label else "the date"))

    def fill_messages(self, subject):
        """Set the messages for ``subject`` (kept where the field was given its own)."""
        name = _capitalised(subject)
        messages = {
            "required": f"Enter {subject}",
            "incomplete": f"{name} must include %(missing)s",
            "invalid": f"{name} must be a real date",
            "year": "Year must include 4 numbers",
        }
        self.error_messages.update({code: text for code, text in messages.items()
                                    if code not in self.explicit_messages})

    def to_python(self, value):
        if value in (None, "", [], ()):
            return None
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        missing = [part for part, text in zip(DATE_PARTS, value, strict=True) if not text]
        if missing:
            raise ValidationError(self.error_messages["incomplete"], code="incomplete",
                                  params={"missing": _join_parts(missing)})
        try:
            day, month, year = (int(part) for part in value)
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if year < 1000:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        """What the three boxes show: the parts as typed, or those of a date."""
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                return dict.fromkeys(DATE_PARTS, "")
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, list | tuple) and len(value) == len(DATE_PARTS):
            return dict(zip(DATE_PARTS, value, strict=True))
        return dict.fromkeys(DATE_PARTS, "")


def _default_messages(field):
    """The messages a field class gives by default (what Django says when the form says nothing)."""
    messages = {}
    for klass in reversed(type(field).__mro__):
        messages.update(getattr(klass, "default_error_messages", {}))
    return messages


def nhs_messages(field, subject):
    """The NHS-style messages for a field of this kind about ``subject`` ("the planned completion date")."""
    name = _capitalised(subject)
    choose = isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField | forms.FileField)
    messages = {
        "required": f"Select {subject}" if choose else f"Enter {subject}",
        "invalid_choice": f"Choose {subject} from the list",
        "invalid_list": f"Choose {subject} from the list",
        "invalid_pk_value": f"Choose {subject} from the list",
        "max_length": f"{name} must be %(limit_value)d characters or fewer",
        "min_length": f"{name} must be %(limit_value)d characters or more",
    }
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        messages.update({
            "invalid": f"{name} must be a number",
            "min_value": f"{name} must be %(limit_value)s or more",
            "max_value": f"{name} must be %(limit_value)s or less",
            "max_digits": f"{name} must be %(max)s digits or fewer",
            "max_decimal_places": f"{name} must have no more than %(max)s decimal places",
            "max_whole_digits": f"{name} must be %(max)s digits or fewer before the decimal point",
            "step_size": f"{name} must be a multiple of %(limit_value)s",
        })
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = f"Enter {subject} in the correct format, like name@example.nhs.uk"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{name} must be a real date"
    elif isinstance(field, forms.FileField):
        messages.update({"invalid": f"{name} must be a file", "missing": f"Select {subject}",
                         "empty": "The selected file is empty"})
    elif isinstance(field, forms.URLField):
        messages["invalid"] = f"Enter {subject} in the correct format, like https://www.nhs.uk"
    return messages


class NhsErrorMessages:
    """Gives every field of a form messages that name it, in the NHS.UK style.

    The subject of a field's messages is ``error_subjects[name]`` if the form gives one ("why it is changing"),
    else its label turned round ("Planned completion date" -> "the planned completion date"). Messages are
    filled just before validation, so labels a form sets in ``__init__`` count; a message set on the field
    itself (``error_messages=``) wins.
    """

    error_subjects = {}

    def full_clean(self):
        self.name_error_messages()
        super().full_clean()

    def name_error_messages(self):
        for name, field in self.fields.items():
            if getattr(field, "nhs_messages_filled", False):
                continue
            field.nhs_messages_filled = True
            subject = self.error_subjects.get(name) or getattr(field, "subject", None) or _subject_from_label(
                field.label if field.label is not None else name.replace("_", " ").capitalize())
            if isinstance(field, DayMonthYearField):
                field.fill_messages(subject)
                continue
            defaults = _default_messages(field)
            for code, text in nhs_messages(field, subject).items():
                if field.error_messages.get(code, defaults.get(code)) == defaults.get(code):
                    field.error_messages[code] = text


class Form(NhsErrorMessages, forms.Form):
    """The service's plain form: NHS-style messages that name each field."""


class ModelForm(NhsErrorMessages, forms.ModelForm):
    """The service's model form: NHS-style messages that name each field."""
