"""A region's data return for one deadline, built from the records (003 §8 Reporting), and the national roll-up of
the regions' submitted returns.

A return is the region's whole record, not what one person may see: it is built over every contract
(``Contract.objects``), and is read only by those returns/access.py lets see the region. Its content is plain JSON
(amounts as strings of pounds with two decimals, dates and times ISO), so that the copy frozen at submission
(``DataReturn.content``) reads the same whatever changes in the records or the code afterwards.

- summary: returns.figures.figures_by_region for the region (allocated, committed, spent, forecast, supported,
  MoUs missing, case studies) and the deadline's targets' statuses;
- practices: one row per supported contract of the region in the year ("supported" as figures.py says: commissioned
  in the year, not an enquiry nor declined, withdrawn or failed to engage), with its lead practice;
- case studies: the final case studies of the region's contracts written in the year, the practice named only
  when it chose to be.
"""

import datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from contracts.funding import SIGNED_AMOUNT, financial_year
from contracts.payment_models import Payment
from contracts.vocabulary import Programme, SupportCategory
from core.formatting import uk_date
from core.regions import Region, region_label

from .figures import NOT_SUPPORT, figures_by_region
from .models import DataReturn
from .targets import target_statuses

ZERO = Decimal("0.00")
SCHEMA = 1  # the shape of ``content``: bumped if it ever changes, so old frozen copies can still be read
SIGNED, AWAITING, MISSING = "signed", "awaiting_signatures", "missing"
MOU_LABELS = {AWAITING: "Awaiting signatures", MISSING: "Missing"}
MONEY_FIELDS = ("allocated", "committed", "spent", "forecast")
COUNT_FIELDS = ("supported", "mous_missing", "case_studies")
ANONYMISED = "Anonymised"


def pounds(value):
    """An amount as JSON keeps it: "1234.50"."""
    return str((value or ZERO).quantize(Decimal("0.01")))


def _iso(value):
    return value.isoformat() if value else None


def _cut(year, as_of):
    """The last day counted: the year's end, or ``as_of`` when earlier."""
    last = financial_year(year)[1]
    if as_of is None:
        return last
    as_of = as_of.date() if isinstance(as_of, datetime.datetime) else as_of
    return min(last, as_of)


def deadline_part(deadline):
    return {"financial_year": deadline.financial_year, "label": financial_year(deadline.financial_year)[2],
            "number": deadline.number, "due_at": _iso(deadline.due_at)}


def _summary(figures):
    summary = {name: pounds(getattr(figures, name)) for name in MONEY_FIELDS}
    summary.update({name: getattr(figures, name) for name in COUNT_FIELDS})
    summary.update({"committed_percent": figures.committed_percent, "spent_percent": figures.spent_percent,
                    "allocation_entered": figures.allocation_entered})
    return summary


def _icb(commissioner):
    return commissioner.parent if commissioner.parent_id else commissioner


def _mou(contract, cut, with_agreement):
    """(status, label) of a contract's MoU as it stood on ``cut``."""
    if contract.mou_signed_on and contract.mou_signed_on <= cut:
        return SIGNED, f"Signed on {uk_date(contract.mou_signed_on)}"
    if contract.pk in with_agreement:
        return AWAITING, MOU_LABELS[AWAITING]
    return MISSING, MOU_LABELS[MISSING]


def supported_contracts(region, year, cut):
    """The region's supported contracts in the year up to ``cut``, oldest first."""
    contract = apps.get_model("contracts", "Contract")
    first = financial_year(year)[0]
    return (contract.objects.filter(practice__region=region, commissioned_on__gte=first, commissioned_on__lte=cut)
            .exclude(state__in=NOT_SUPPORT).select_related("practice", "commissioner__parent")
            .order_by("commissioned_on", "reference"))


def _practice_rows(region, year, cut):
    """One row per supported contract (three queries)."""
    first = financial_year(year)[0]
    contracts = list(supported_contracts(region, year, cut))
    ids = [c.pk for c in contracts]
    agreement = apps.get_model("agreements", "Agreement")
    with_agreement = set(agreement.objects.filter(contract__in=ids).values_list("contract_id", flat=True))
    paid = dict(Payment.objects.filter(contract__in=ids, paid_on__gte=first, paid_on__lte=cut).order_by()
                .values("contract").annotate(total=Sum(SIGNED_AMOUNT)).values_list("contract", "total"))
    rows = []
    for contract in contracts:
        icb = _icb(contract.commissioner)
        signed = bool(contract.mou_signed_on and first <= contract.mou_signed_on <= cut)
        status, label = _mou(contract, cut, with_agreement)
        rows.append({
            "contract": contract.reference, "practice_code": contract.practice.ods_code,
            "practice_name": contract.practice.name, "icb_code": icb.ods_code, "icb": icb.label,
            "programme": Programme(contract.programme).label if contract.programme in Programme.values
            else contract.programme,
            "support_categories": [SupportCategory(c).label if c in SupportCategory.values else c
                                   for c in contract.categories or []],
            "commissioned_on": _iso(contract.commissioned_on), "value": pounds(contract.value),
            "committed": pounds(contract.value if signed else ZERO), "paid": pounds(paid.get(contract.pk)),
            "mou_status": status, "mou": label,
            "mou_signed_on": _iso(contract.mou_signed_on) if status == SIGNED else None,
        })
    return rows


def _case_study_rows(region, year, cut):
    case_study = apps.get_model("evaluation", "CaseStudy")
    first = financial_year(year)[0]
    studies = (case_study.objects.filter(contract__practice__region=region, status="final", created_on__gte=first,
                                         created_on__lte=cut)
               .select_related("contract__practice").order_by("created_on", "pk"))
    return [{"title": study.title,
             "support_category": SupportCategory(study.support_category).label
             if study.support_category in SupportCategory.values else study.support_category,
             "practice": ANONYMISED if study.anonymised else study.contract.practice.name,
             "written_on": _iso(study.created_on)} for study in studies]


def return_build(*, region, deadline, as_of=None, now=None):
    """The content of ``region``'s return for ``deadline`` (saved or not): the records as they stood on ``as_of``,
    by default the deadline's day (or today, before it), so that a return submitted, or resubmitted, after its
    deadline still reports the position at the deadline. Nine queries."""
    contract = apps.get_model("contracts", "Contract")
    now = now or timezone.now()
    if as_of is None:
        as_of = timezone.localdate(min(now, deadline.due_at))
    year = deadline.financial_year
    cut = _cut(year, as_of)
    rows, _total = figures_by_region(contract.objects.all(), year=year, as_of=as_of, regions=[region])
    figures = rows[0]
    return {
        "schema": SCHEMA,
        "region": {"code": region, "name": region_label(region)},
        "deadline": deadline_part(deadline),
        "as_of": _iso(as_of), "built_at": _iso(now),
        "summary": _summary(figures),
        "targets": [target.as_dict() for target in target_statuses(deadline, figures, now=now)],
        "practices": _practice_rows(region, year, cut),
        "case_studies": _case_study_rows(region, year, cut),
    }


def missing_mous(content):
    """The contract references of a return's practices with no MoU at all (not even an agreement drafted)."""
    return [row["contract"] for row in content["practices"] if row["mou_status"] == MISSING]


def _sum_summaries(summaries):
    total = dict.fromkeys(MONEY_FIELDS, ZERO) | dict.fromkeys(COUNT_FIELDS, 0)
    for summary in summaries:
        for name in MONEY_FIELDS:
            total[name] += Decimal(summary[name])
        for name in COUNT_FIELDS:
            total[name] += summary[name]
    allocated = total["allocated"]

    def percent(amount):
        return int((amount * 100 / allocated).quantize(Decimal("1"))) if allocated else None

    result = {name: pounds(total[name]) for name in MONEY_FIELDS}
    result.update({name: total[name] for name in COUNT_FIELDS})
    result.update({"committed_percent": percent(total["committed"]), "spent_percent": percent(total["spent"]),
                   "allocation_entered": any(s.get("allocation_entered") for s in summaries)})
    return result


def who(user):
    """How a return names the person who submitted it."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _is_latest():
    """A return no later submission for the same region and deadline replaces (portable: the demo runs on SQLite,
    which has no DISTINCT ON)."""
    later = DataReturn.objects.filter(deadline=OuterRef("deadline"), region=OuterRef("region"),
                                      number__gt=OuterRef("number"))
    return ~Exists(later)


def latest_returns(returns, deadline):
    """{region: its latest submitted return for ``deadline``} among ``returns`` (a DataReturn queryset). One query."""
    latest = returns.filter(deadline=deadline).filter(_is_latest()).select_related("submitted_by")
    return {data_return.region: data_return for data_return in latest}


def rollup_build(returns, deadline):
    """England's roll-up for ``deadline``: every region's latest submitted return (from ``returns``) summed, the
    regions that have not submitted, and all the returns' practices and case studies, each with its region."""
    latest = latest_returns(returns, deadline) if deadline.pk else {}
    regions, practices, case_studies = [], [], []
    for code in Region.values:
        data_return = latest.get(code)
        if data_return is None:
            regions.append({"code": code, "name": region_label(code), "submitted": False})
            continue
        content = data_return.content
        regions.append({"code": code, "name": region_label(code), "submitted": True, "return_id": data_return.pk,
                        "number": data_return.number, "submitted_at": _iso(data_return.submitted_at),
                        "submitted_by": who(data_return.submitted_by), "summary": content["summary"]})
        practices += [{"region": region_label(code), **row} for row in content["practices"]]
        case_studies += [{"region": region_label(code), **row} for row in content["case_studies"]]
    submitted = [r for r in regions if r["submitted"]]
    return {
        "schema": SCHEMA, "deadline": deadline_part(deadline),
        "summary": _sum_summaries([r["summary"] for r in submitted]),
        "regions": regions, "not_submitted": [r["name"] for r in regions if not r["submitted"]],
        "practices": practices, "case_studies": case_studies,
    }


def years_returns(returns, year):
    """{(deadline number, region): latest return} for the year's submitted returns among ``returns`` (content left
    unread). One query."""
    latest = (returns.filter(deadline__financial_year=year).filter(_is_latest()).defer("content")
              .select_related("submitted_by", "deadline"))
    return {(data_return.deadline.number, data_return.region): data_return for data_return in latest}
