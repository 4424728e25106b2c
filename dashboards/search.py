"""Search across practices (name, ODS code, postcode), contracts (reference) and forward-plan actions
(their text), scoped by the access policy. PostgreSQL full-text search; the SQLite demo falls back to
plain substring matching."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q

from contracts import access as contract_access
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


def search(user, text):
    text = (text or "").strip()
    if len(text) < 2:
        return {"practices": [], "contracts": [], "actions": []}
    code = text.replace(" ", "").upper()
    named = _matching(Practice.objects.all(), ["name"], text).values("pk")
    practices = practice_access.practices_for(user).filter(
        Q(ods_code__istartswith=code) | Q(postcode__istartswith=text) | Q(pk__in=named))
    contracts = contract_access.contracts_for(user).filter(reference__istartswith=text)
    # The match in the same query as the access policy, so that only matching actions are ranked: ranked as a
    # subquery, PostgreSQL ranked every action in England first (2 s for an RCGP admin).
    actions = _matching(document_access.actions_for(user), ACTION_TEXT, text)
    if _postgres():
        actions = actions.annotate(rank=SearchRank(F("document"), _query(text))).order_by(F("rank").desc(), "pk")
    return {
        "practices": list(practices.select_related("commissioner").order_by("name")[:LIMIT]),
        "contracts": list(contracts.select_related("practice").order_by("reference")[:LIMIT]),
        "actions": list(actions.select_related("plan__contract__practice")[:LIMIT]),
    }
