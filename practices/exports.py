"""The practice list as CSV or XLSX: the columns of what people see in the browser, every matching row."""

from core.exports import export_response

from .ratings import KEY_QUESTIONS
from .selectors import attach_current_key_questions


def practices_export(fmt, practices):
    practices = attach_current_key_questions(list(practices))
    header = ["ODS code", "Practice", "Postcode", "Commissioner", "Status", "List size", "Current rating",
              "Published", *[label for _f, _a, label in KEY_QUESTIONS], "In special measures", "Re-inspection due"]
    rows = []
    for p in practices:
        current, sm = p.current_key_questions, p.special_measures
        rows.append([p.ods_code, p.name, p.postcode, p.commissioner.name, p.get_status_display(), p.list_size,
                     p.current_rating or "", p.current_published_on,
                     *[(current[f] if current else "") for f, _a, _l in KEY_QUESTIONS],
                     "yes" if sm.active else "no", sm.reinspection_due])
    return export_response(fmt, "practices", header, rows)
