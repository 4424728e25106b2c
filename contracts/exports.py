"""The contract and referral lists as CSV or XLSX: the columns of what people see in the browser, in words (labels,
not stored codes), with dates and amounts typed (core.exports)."""

from core.exports import choice_label, export_response
from practices.ratings import Rating

from .referral_services import acknowledgement_status

# contracts.models.Contract.first_contact_status() in the words of the contract list's tag.
FIRST_CONTACT_LABELS = {"met": "Met", "late": "Made late", "overdue": "Overdue", "due": "Due"}


def contracts_export(fmt, contracts):
    header = ["Reference", "Practice ODS code", "Practice", "Commissioner", "Programme", "State", "Commissioned",
              "Deputy lead", "Advisers on team", "First contact", "First contact due", "Rating before",
              "Rating after", "Outcome", "Value", "Ended", "End reason"]
    rows = [[c.reference, c.practice.ods_code, c.practice.name, c.commissioner.label, c.get_programme_display(),
             c.get_state_display(), c.commissioned_on,
             (c.deputy_lead.get_full_name() or c.deputy_lead.username) if c.deputy_lead else "",
             c.team_size, FIRST_CONTACT_LABELS[c.first_contact_status()], c.first_contact_due,
             choice_label(Rating.choices, c.rating_before), choice_label(Rating.choices, c.rating_after),
             c.outcome.label if c.outcome else "", c.value, c.ended_on, c.get_end_reason_display()]
            for c in contracts]
    return export_response(fmt, "contracts", header, rows)


def referrals_export(fmt, referrals):
    header = ["Received", "Practice ODS code", "Practice", "Commissioner", "Status", "Priority",
              "Acknowledgement due", "Acknowledged", "Acknowledgement", "Regional decision"]
    rows = [[r.received_on, r.practice.ods_code, r.practice.name, r.commissioner.label, r.get_status_display(),
             r.get_priority_display(), r.acknowledgement_due, r.acknowledged_on, acknowledgement_status(r).label,
             r.get_regional_decision_display()]
            for r in referrals]
    return export_response(fmt, "referrals", header, rows)
