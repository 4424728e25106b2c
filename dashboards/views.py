from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from concerns.selectors import open_concerns_for
from contracts import access as contract_access
from contracts.workflow import LIVE_STATES
from core import exports
from core.errors import NotAllowed
from core.pagination import paginate
from core.regions import region_label
from core.relations import of_commissioner
from core.roles import is_any_nhse, is_commissioner_lead, is_commissioner_user, is_nhse_regional, is_rcgp_admin
from dashboards import charts, dashboards, risk_register
from dashboards.search import search
from forwardplans import access as document_access


@login_required
def home(request):
    """Each role's home page answers "what needs me today"."""
    user = request.user
    role = user.role or ("rcgp_admin" if user.is_superuser else "")
    builder = HOME_PAGES.get(role)
    if builder is None:
        return redirect("practices:list")
    context = builder(request)
    # Every role's deadlines, from the same registry as their reminders and calendar feed.
    today = timezone.localdate()
    context["due"] = dashboards.due_items(user, today)
    context.setdefault("today", today)
    return render(request, f"home/{context.pop('template', role)}.jinja", context)


def _commissioner_home(request):
    from practices.ratings import Rating

    sort = request.GET.get("sort") or "risk"
    if sort not in dashboards.PRACTICE_SORTS:
        sort = "risk"
    contracts = dashboards.commissioner_contracts(request.user)
    rows = dashboards.commissioner_overview(request.user, sort=sort, rating=request.GET.get("rating") or None,
                                            special_measures=request.GET.get("special_measures") or None,
                                            contracts=contracts)
    # A page of practices at a time: an ICB has a few hundred, and the risk register lists them all to filter.
    page = paginate(request, rows)
    context = {"template": "commissioner", "page": page,
               "rows": dashboards.attach_documents(request.user, page.object_list), "sort": sort,
               "ratings": Rating.choices,
               "rag_by_commissioner": _rag_by_commissioner_for(request.user), "rag_series": charts.RAG_SERIES,
               "levels": dashboards.practice_levels(request.user)}
    if is_commissioner_lead.test(request.user):
        context.update(referrals=dashboards.referral_queue(request.user),
                       concerns=open_concerns_for(request.user),
                       by_state=dashboards.contracts_by_state(request.user),
                       programmes=dashboards.programme_table(request.user))
    return context


def _deputy_home(request):
    context = dashboards.deputy_lead_overview(request.user)
    context["template"] = "rcgp"
    if is_rcgp_admin.test(request.user) or request.user.is_superuser:
        context.update(referrals=dashboards.referral_queue(request.user),
                       concerns=open_concerns_for(request.user),
                       programmes=dashboards.programme_table(request.user))
    return context


def _adviser_home(request):
    return {"template": "adviser", "rows": dashboards.adviser_overview(request.user)}


def _practice_home(request):
    return {"template": "practice", **dashboards.practice_overview(request.user)}


def _nhse_home(request):
    """National NHSE's home, and an NHSE regional team's: the same figures over the contracts it may see
    (contracts_for: its region's), headed with its region's name, with the referrals waiting for its decision."""
    user = request.user
    contracts = contract_access.contracts_for(user)
    regional = is_nhse_regional.test(user)
    return {"template": "nhse", "programmes": dashboards.programme_table(user),
            "region_name": region_label(user.region) if regional else "",
            "awaiting_decision": dashboards.referrals_awaiting_regional_decision(user) if regional else None,
            "funding": dashboards.funding_by_year(user),
            "outcomes": charts.outcomes_by_programme_year(contracts), "outcome_series": charts.OUTCOME_SERIES,
            "rag_by_commissioner": _rag_by_commissioner_for(user), "rag_series": charts.RAG_SERIES}


def _rag_by_commissioner_for(user):
    """The home page's "actions by RAG status, per commissioner", from the same records the page counts: the shared
    plans of live contracts for a commissioner (an ended contract's RAG statuses are where it stopped, and
    grow with the years), the figures' scope for NHSE (a regional team: its region's); None for a role whose home
    does not show it."""
    if is_commissioner_user.test(user):
        return charts.rag_by_commissioner(document_access.actions_for(user)
                                          .filter(plan__contract__state__in=LIVE_STATES))
    if is_any_nhse.test(user):
        return charts.rag_by_commissioner(document_access.actions_for_figures(user))
    return None


@login_required
def rag_by_commissioner_download(request):
    rows = _rag_by_commissioner_for(request.user)
    if rows is None:
        raise Http404
    header = ["Commissioner", *[label for label, _colour in charts.RAG_SERIES], "Total"]
    return exports.export_response(exports.wanted(request) or "csv", "actions-by-rag-per-commissioner", header,
                                   [[label, *counts, sum(counts)] for label, counts in rows])


def _register(request):
    """The register's rows for the request's filters and order, with its filter form; 404 for whoever does not read
    it (dashboards.risk_register.reads_register)."""
    user = request.user
    if not risk_register.reads_register(user):
        raise Http404
    rows = risk_register.register(user, today=timezone.localdate())
    notices = risk_register.sees_contractual_action(user)
    form = risk_register.RegisterFilterForm(
        request.GET, commissioners=risk_register.commissioner_choices(rows), notices=notices,
        commissioner_label="Sub-ICB location" if of_commissioner(user) else "Commissioner")
    filters, sort = form.filters()
    return risk_register.ordered(risk_register.filtered(rows, **filters), sort), form, notices


@login_required
def risk_register_view(request):
    """The risk register: the user's practices, most at risk first, with why (dashboards/risk_register.py)."""
    rows, form, notices = _register(request)
    return render(request, "dashboards/risk_register.jinja", {
        "page": paginate(request, rows), "form": form, "notices": notices,
        "commissioner_column": "Sub-ICB location" if of_commissioner(request.user) else "Commissioner",
        "today": timezone.localdate()})


@login_required
def risk_register_download(request):
    """The register as CSV (the default) or XLSX, with the page's filters and order: every matching row."""
    rows, _form, notices = _register(request)
    header, body = risk_register.export_table(rows, notices=notices)
    return exports.export_response(exports.wanted(request) or "csv", "risk-register", header, body)


HOME_PAGES = {
    "commissioner_peer_support": _commissioner_home,
    "commissioner_lead": _commissioner_home,
    "rcgp_deputy_lead": _deputy_home,
    "rcgp_admin": _deputy_home,
    "rcgp_adviser": _adviser_home,
    "practice_user": _practice_home,
    "practice_lead": _practice_home,
    "nhse_reporting": _nhse_home,
    "nhse_regional": _nhse_home,
}


@login_required
def search_view(request):
    q = request.GET.get("q", "").strip()[:200]
    return render(request, "search.jinja", {"q": q, "results": search(request.user, q)})


def health(request):
    """Liveness for load balancers and docker compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception):
    return render(request, "errors/404.jinja", status=404)


def server_error(request):
    return render(request, "errors/500.jinja", status=500)


def permission_denied(request, exception):
    # Only the access rules' own refusals are written for the person; any other 403 keeps the general words.
    reason = str(exception) if isinstance(exception, NotAllowed) else ""
    return render(request, "errors/403.jinja", {"reason": reason}, status=403)
