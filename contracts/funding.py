"""Funding by financial year (docs/domain.md §6): contracted, committed and spent per programme, over the contracts
the caller may see (pass ``contracts.access.contracts_for(user)``). Years run April to March.

What each figure means (the README says so too; NHSE's analysts read them from the funding API):

- contracted: the value of the contracts commissioned in the year, enquiries included (called ``allocated``
  until issue 22: an allocation is now the budget NHS England gives a region or ICB, returns/models.py);
- committed: the agreed value of signed agreements, counted in the financial year the agreement was signed
  (``Contract.mou_signed_on``);
- spent: payments made (paid invoices less paid refunds, contracts/payment_models.py), counted in the financial
  year of ``paid_on``. An invoice not yet paid is not spent. The advisers' delivery cost (finance app) is not spent.
"""

import datetime
from decimal import Decimal

from django.db.models import Case, Count, F, Q, Sum, When

from .payment_models import Payment
from .vocabulary import Programme

ZERO = Decimal("0.00")
# What a payment adds to "spent" once paid: a refund takes away.
SIGNED_AMOUNT = Case(When(kind=Payment.Kind.REFUND, then=-F("amount")), default=F("amount"))


def financial_year_of(day):
    """The April-March financial year (the year it starts) that ``day`` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(year):
    """(first day, last day, label) of the April-March financial year starting in ``year``."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31), f"{year}-{(year + 1) % 100:02d}"


def funding_by_programme(contracts, *, year, commissioner=None):
    """Funding in the financial year starting in ``year``, one row per programme (vocabulary order), over
    ``contracts``; ``commissioner`` (a Commissioner) includes its sub-ICB locations. Two queries.

    - contracts, contracted: the count and sum of ``value`` of the contracts commissioned in the year;
    - committed_contracts, committed: the count and sum of ``value`` of the contracts whose agreement was signed in
      the year;
    - spent: payments made in the year (paid invoices less paid refunds) for the contracts.
    """
    first, last, label = financial_year(year)
    scope = contracts
    if commissioner is not None:
        scope = scope.filter(Q(commissioner=commissioner) | Q(commissioner__parent=commissioner))
    commissioned = Q(commissioned_on__gte=first, commissioned_on__lte=last)
    signed = Q(mou_signed_on__gte=first, mou_signed_on__lte=last)
    rows = scope.filter(commissioned | signed).order_by().values("programme").annotate(
        contracts=Count("pk", filter=commissioned), contracted=Sum("value", filter=commissioned),
        committed_contracts=Count("pk", filter=signed), committed=Sum("value", filter=signed))
    by_programme = {row["programme"]: row for row in rows}
    spent = dict(Payment.objects.filter(contract__in=scope.order_by().values("pk"), paid_on__gte=first,
                                        paid_on__lte=last).order_by().values("contract__programme")
                 .annotate(spent=Sum(SIGNED_AMOUNT)).values_list("contract__programme", "spent"))
    result = []
    for programme in Programme.values:
        row = by_programme.get(programme, {})
        result.append({
            "financial_year": label, "programme": programme,
            "contracts": row.get("contracts", 0), "contracted": row.get("contracted") or ZERO,
            "committed_contracts": row.get("committed_contracts", 0), "committed": row.get("committed") or ZERO,
            "spent": spent.get(programme) or ZERO,
        })
    return result


def funding_by_years(contracts, *, years=3, today=None):
    """Funding of the latest ``years`` financial years, newest first: for each, its label, its programmes' rows
    (those with a contract commissioned, an agreement signed or a payment made in the year, each with its
    programme's ``label``) and their totals. The NHSE home's table and its download."""
    today = today or datetime.date.today()
    current = financial_year_of(today)
    table = []
    for year in range(current, current - years, -1):
        rows = [dict(row, label=Programme(row["programme"]).label)
                for row in funding_by_programme(contracts, year=year)
                if row["contracts"] or row["committed_contracts"] or row["spent"]]
        table.append({"label": financial_year(year)[2], "rows": rows,
                      **{key: sum((r[key] for r in rows), 0 if key.endswith("contracts") else ZERO)
                         for key in ("contracts", "contracted", "committed_contracts", "committed", "spent")}})
    return table
