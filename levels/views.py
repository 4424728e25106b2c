"""Pages of levels of support. Thin: who may see and set what is levels/access.py; the rules are
levels/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.shortcuts import redirect, render

from core.pagination import paginate
from core.submit import page_status, refuse, run_for_form

from . import access, selectors, services
from .forms import NONE, LevelFilterForm, LevelForm
from .models import LEVEL_DESCRIPTIONS, NO_LEVEL, Level, PracticeLevel

PER_PAGE = 50
# Rescue first, as the programme orders them; practices with no level last.
LEVEL_ORDER = Case(*[When(support_level__level=level, then=Value(i)) for i, level in enumerate(Level.values)],
                   default=Value(len(Level.values)), output_field=IntegerField())


@login_required
def list_view(request):
    """Practices per level, for the practices the user may see (filter by level; paged)."""
    form = LevelFilterForm(request.GET or None)
    practices = access.open_practices_for(request.user)
    summary = selectors.level_summary(practices)
    chosen = form.cleaned_data["level"] if form.is_valid() else ""
    if chosen == NONE:
        practices = practices.filter(Q(support_level__isnull=True) | Q(support_level__level=""))
    elif chosen:
        practices = practices.filter(support_level__level=chosen)
    practices = (practices.select_related("commissioner")
                 .annotate(level_order=LEVEL_ORDER, level_value=F("support_level__level"),
                           level_since=F("support_level__since")).order_by("level_order", "name", "pk"))
    page = paginate(request, practices, per_page=PER_PAGE)
    for practice in page.object_list:
        practice.level_label = Level(practice.level_value).label if practice.level_value else NO_LEVEL
    return render(request, "levels/list.jinja", {
        "form": form, "page": page, **summary, "chosen": chosen, "descriptions": LEVEL_DESCRIPTIONS, "none": NONE,
        "no_level_text": NO_LEVEL}, status=422 if form.errors else 200)


@login_required
def practice_view(request, ods_code):
    """A practice's level of support and its history; RCGP admin and its commissioner leads change it here."""
    practice = access.get_practice_or_404(request.user, ods_code)
    may_set = access.can(request.user, "set_level", practice)
    if request.method == "POST":
        refuse(request, access.refusal(request.user, "set_level", practice))
    current = PracticeLevel.objects.filter(practice=practice).first()
    version = current.version if current else 0
    form = LevelForm(request.POST if request.method == "POST" else None, initial={"version": version}) \
        if may_set else None
    outcome = None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.practice_level_set(
            practice=practice, actor=request.user, level=data["level"], reason=data["reason"],
            base_version=data["version"]), current_version=lambda: _version(practice))
        if outcome.ok:
            messages.success(request, f"{practice.name} is now at {Level(data['level']).label}.")
            return redirect("levels:practice", ods_code=practice.ods_code)
        current = PracticeLevel.objects.filter(practice=practice).first()
    return render(request, "levels/practice.jinja", {
        "practice": practice, "current": current, "changes": list(selectors.history(practice)),
        "form": form, "may_set": may_set, "conflict": outcome.conflict if outcome else None,
        "descriptions": LEVEL_DESCRIPTIONS, "no_level_text": NO_LEVEL,
        "in_special_measures": practice.pk in services.in_special_measures([practice.pk])},
        status=page_status(form, outcome) if form is not None else 200)


def _version(practice):
    return PracticeLevel.objects.filter(practice=practice).values_list("version", flat=True).first() or 0
