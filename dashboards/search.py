"""Search across practices (name, ODS code, postcode), contracts (reference, or their practice's name or ODS code),
forward-plan actions (their text) and the people named on actions (the lead in words, or the lead user's name),
scoped by the access policy. PostgreSQL full-text search; the SQLite demo falls back to plain substring
matching."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from contracts import access as contract_access
from dashboards.dashboards import contract_documents
from forwardplans import access as document_access
from practices import access as practice_access
from practices.models import Practice

LIMIT = 20
ACTION_TEXT = ["action_planned", "problem", "underlying_issue", "regulation", "next_steps", "evidence_needed"]


def _postgres():
    return connection.vendor == "postgresql"


def _query(text):
    return SearchQuery(text, config="english", search_type="websearch")


def _matching(queryset, fields, text):
    """``queryset`` narrowed to rows whose ``fields`` match: on PostgreSQL stemmed full text, as ``document``, which
    the GIN indexes of the migrations (forwardplans 0005, practices 0004) hold exactly; substrings elsewhere."""
    if _postgres():
        return queryset.annotate(document=SearchVector(*fields, config="english")).filter(document=_query(text))
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


def people_named(user, text):
    """Actions the user may see whose lead is ``text``: the lead written in words (``lead_person``) or the lead
    user's name. A plain substring match: names are not words to stem."""
    lead_name = Concat("lead_user__first_name", Value(" "), "lead_user__last_name")
    return (document_access.actions_for(user).annotate(lead_name=lead_name)
            .filter(Q(lead_person__icontains=text) | Q(lead_name__icontains=text) | Q(lead_user__username__iexact=text))
            .select_related("lead_user", "plan__contract__practice").order_by("lead_person", "pk"))


def search(user, text):
    text = (text or "").strip()
    if len(text) < 2:
        return {"practices": [], "contracts": [], "actions": [], "people": [], "documents": {}}
    code = text.replace(" ", "").upper()
    named = _matching(Practice.objects.all(), ["name"], text).values("pk")
    practices = practice_access.practices_for(user).filter(
        Q(ods_code__istartswith=code) | Q(postcode__istartswith=text) | Q(pk__in=named))
    # A practice's contracts come up under its name or ODS code too (only those the user may see).
    contracts = contract_access.contracts_for(user).filter(
        Q(reference__istartswith=text) | Q(practice__ods_code__istartswith=code) | Q(practice__in=named))
    # The match in the same query as the access policy, so that only matching actions are ranked: ranked as a
    # subquery, PostgreSQL ranked every action in England first (2 s for an RCGP admin).
    actions = _matching(document_access.actions_for(user), ACTION_TEXT, text)
    if _postgres():
        actions = actions.annotate(rank=SearchRank(F("document"), _query(text))).order_by(F("rank").desc(), "pk")
    contracts = list(contracts.select_related("practice").order_by("practice__name", "-commissioned_on",
                                                                   "reference")[:LIMIT])
    return {
        "practices": list(practices.select_related("commissioner").order_by("name")[:LIMIT]),
        "contracts": contracts,
        # Which of those contracts' report and plan the user may open, for links to them.
        "documents": contract_documents(user, contracts),
        "actions": list(actions.select_related("plan__contract__practice")[:LIMIT]),
        "people": list(people_named(user, text)[:LIMIT]),
    }
