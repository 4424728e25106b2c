from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core import exports as list_exports
from core.errors import NotAllowed
from core.pagination import paginate
from practices.filters import PracticeFilter
from practices.panels import panels_for
from practices.ratings import KEY_QUESTIONS, POPULATION_GROUPS
from practices.selectors import attach_current_key_questions, practice_detail, practice_list

from . import access, exports, services, timeline
from .forms import EpisodeCorrectionForm
from .models import SpecialMeasuresEpisode


@login_required
def practice_list_view(request):
    data = request.GET.copy()
    data.setdefault("status", "active")
    practice_filter = PracticeFilter(data, queryset=practice_list(request.user).select_related("commissioner"),
                                     user=request.user)
    fmt = list_exports.wanted(request)
    if fmt:
        return exports.practices_export(fmt, practice_filter.qs)
    # Page through ids first, then load the page's practices with their ratings: a deep page (page 50) no
    # longer works out the current rating of every practice it skips.
    page = paginate(request, practice_filter.qs.values_list("pk", flat=True))
    by_id = practice_filter.qs.in_bulk(list(page.object_list))
    page.object_list = attach_current_key_questions([by_id[pk] for pk in page.object_list if pk in by_id])
    return render(request, "practices/list.jinja", {
        "filter": practice_filter, "form": practice_filter.form, "page": page,
        "key_questions": KEY_QUESTIONS,
        "show_commissioner": practice_filter.filters["commissioner"].queryset.count() > 1,
    })


@login_required
def practice_detail_view(request, ods_code):
    practice, inspections, current = practice_detail(request.user, ods_code)
    return render(request, "practices/detail.jinja", {
        "practice": practice, "inspections": inspections, "current": current,
        "panels": panels_for(request, practice),
        "key_questions": KEY_QUESTIONS, "population_groups": POPULATION_GROUPS,
        "timeline": timeline.build(inspections, practice.episode_list),
        "can_correct": access.can(request.user, "correct_episodes", practice),
    })


@login_required
def episode_correct_view(request, ods_code, pk=None):
    """Correct an episode (``pk``), or record one the inspections do not show (a CQC placement)."""
    practice = access.get_practice_or_404(request.user, ods_code)
    if not access.can(request.user, "correct_episodes", practice):
        raise NotAllowed("Only RCGP admins and the practice's commissioner leads correct special measures.")
    episode = get_object_or_404(practice.episodes.special_measures(), pk=pk) if pk else None
    initial = ({name: getattr(episode, name) for name in services.CORRECTABLE} if episode
               else {"route": SpecialMeasuresEpisode.Route.PLACED_BY_CQC})
    form = EpisodeCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.episode_correct(practice=practice, episode=episode, actor=request.user,
                                 reason=form.cleaned_data["reason"], **form.values())
        messages.success(request, "Special measures corrected." if episode else "Special measures recorded.")
        return redirect(reverse("practices:detail", args=[practice.ods_code]) + "#regulatory-timeline")
    return render(request, "practices/episode_form.jinja", {"practice": practice, "episode": episode,
                                                            "form": form})
