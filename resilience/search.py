"""Search across practices (name, ODS code, postcode), contracts (reference) and forward-plan actions
(their text), scoped by the access policy. PostgreSQL full-text search; the SQLite demo falls back to
plain substring matching."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q

from forwardplans.models import Action
from practices.models import Practice

from . import policy

LIMIT = 20
ACTION_TEXT = ["action_planned", "problem", "underlying_issue", "regulation", "next_steps", "evidence_needed"]


def _postgres():
    return connection.vendor == "postgresql"


def _query(text):
    return SearchQuery(text, config="english", search_type="websearch")


def _text(model, fields, text):
    """Rows of ``model`` whose ``fields`` match: stemmed full text on PostgreSQL, substrings elsewhere."""
    if _postgres():
        matching = model.objects.annotate(document=SearchVector(*fields, config="english")).filter(
            document=_query(text))
        return Q(pk__in=matching.values("pk"))
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return condition


def search(user, text):
    text = (text or "").strip()
    if len(text) < 2:
        return {"practices": [], "contracts": [], "actions": []}
    code = text.replace(" ", "").upper()
    practices = policy.practices_for(user).filter(
        Q(ods_code__istartswith=code) | Q(postcode__istartswith=text) | _text(Practice, ["name"], text))
    contracts = policy.contracts_for(user).filter(reference__istartswith=text)
    actions = policy.actions_for(user).filter(_text(Action, ACTION_TEXT, text))
    if _postgres():
        rank = SearchRank(SearchVector(*ACTION_TEXT, config="english"), _query(text))
        actions = actions.annotate(rank=rank).order_by(F("rank").desc(), "pk")
    return {
        "practices": list(practices.select_related("commissioner").order_by("name")[:LIMIT]),
        "contracts": list(contracts.select_related("practice").order_by("reference")[:LIMIT]),
        "actions": list(actions.select_related("plan__contract__practice")[:LIMIT]),
    }
