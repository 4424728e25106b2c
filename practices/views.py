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
from .regulation_services import patients_to_be_told_since
from .regulations import PatientChannel


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
    # CQC's enforcement, beside the inspection it follows and on the timeline: one query, whatever their number.
    enforcements = list(access.enforcements_for(request.user).filter(practice=practice))
    by_inspection = {}
    for enforcement in enforcements:
        by_inspection.setdefault(enforcement.inspection_id, []).append(enforcement)
    for inspection in inspections:
        inspection.enforcement_list = by_inspection.get(inspection.pk, [])
    # What patients were told: for the practice's people and its commissioner's only (one query, for them).
    sees_patient_information = access.can_see_patient_information(request.user, practice)
    told = list(access.patient_information_for(request.user).filter(practice=practice)) \
        if sees_patient_information else []
    for record in told:
        record.channel_labels = [PatientChannel(c).label for c in record.channels if c in PatientChannel.values]
    return render(request, "practices/detail.jinja", {
        "practice": practice, "inspections": inspections, "current": current,
        "panels": panels_for(request, practice),
        "key_questions": KEY_QUESTIONS, "population_groups": POPULATION_GROUPS,
        "timeline": timeline.build(inspections, practice.episode_list, enforcements=enforcements),
        "can_correct": access.can(request.user, "correct_episodes", practice),
        "enforcements": enforcements,
        "can_record_breaches": access.can_record_breaches(request.user, practice),
        "can_record_enforcement": access.can_record_enforcement(request.user, practice),
        "sees_patient_information": sees_patient_information, "patient_information": told,
        "patients_due_since": (patients_to_be_told_since(practice, practice.episode_list, told)
                               if sees_patient_information else None),
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
