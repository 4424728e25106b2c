from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core import exports as list_exports
from core.pagination import paginate
from practices.filters import PracticeFilter
from practices.panels import panels_for
from practices.ratings import KEY_QUESTIONS, POPULATION_GROUPS
from practices.selectors import attach_current_key_questions, practice_detail, practice_list

from . import exports


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
    })
