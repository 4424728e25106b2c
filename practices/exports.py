"""The practice list as CSV or XLSX: the columns of what people see in the browser, every matching row, in words
(a rating's label, the commissioner's name, Yes/No), with dates and list sizes typed (core.exports)."""

from core.exports import choice_label, export_response, yes_no

from .ratings import KEY_QUESTIONS, Rating
from .selectors import attach_current_key_questions


def practices_export(fmt, practices):
    practices = attach_current_key_questions(list(practices))
    header = ["ODS code", "Practice", "Postcode", "Commissioner", "Status", "List size", "Current rating",
              "Published", *[label for _f, _a, label in KEY_QUESTIONS], "In special measures", "Re-inspection due"]
    rows = []
    for p in practices:
        current, sm = p.current_key_questions, p.special_measures
        rows.append([p.ods_code, p.name, p.postcode, p.commissioner.label, p.get_status_display(), p.list_size,
                     choice_label(Rating.choices, p.current_rating), p.current_published_on,
                     *[choice_label(Rating.choices, current[f] if current else None) for f, _a, _l in KEY_QUESTIONS],
                     yes_no(sm.active), sm.reinspection_due])
    return export_response(fmt, "practices", header, rows)
