"""The sync reports page: RCGP admin only (404 for anyone else, as a page they have no use for)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .access import reads_runs


@login_required
@require_safe
def runs_view(request):
    if not reads_runs(request.user):
        raise Http404
    runs = selectors.recent_runs(request.user)
    return render(request, "surveillance/runs.jinja", {
        "runs": runs, "noted": [run for run in runs if run.error or run.failures or run.changes],
        "retries": selectors.retry_list(request.user), "shown": selectors.RUNS_SHOWN})
