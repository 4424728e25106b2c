from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from practices.filters import PracticeFilter
from practices.ratings import KEY_QUESTIONS, POPULATION_GROUPS
from practices.selectors import attach_current_inspections, practice_detail, practice_list
from resilience.pagination import paginate


@login_required
def practice_list_view(request):
    data = request.GET.copy()
    data.setdefault("status", "active")
    practice_filter = PracticeFilter(data, queryset=practice_list(request.user), user=request.user)
    page = paginate(request, practice_filter.qs)
    page.object_list = attach_current_inspections(list(page.object_list))
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
        "key_questions": KEY_QUESTIONS, "population_groups": POPULATION_GROUPS,
    })
