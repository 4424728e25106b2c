"""Reads of reports and plans (always from the access policy) and the plan summary figures."""

import datetime
import difflib
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from resilience import policy

from .models import Action, Milestone, RagChange
from .vocabulary import KEY_QUESTION_CHOICES, REPORT_SECTIONS, Rag

DUE_SOON_DAYS = 14


@dataclass
class PlanSummary:
    total: int = 0
    by_rag: dict = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    overdue_milestones: int = 0
    overdue_actions: int = 0
    due_soon: int = 0

    @property
    def percent_complete(self):
        return round(self.by_rag[Rag.GREEN] * 100 / self.total, 1) if self.total else 0.0


def summaries_for_plans(plan_ids, today=None):
    """{plan id: PlanSummary} for many plans in four aggregate queries: actions by RAG, overdue
    milestones, overdue actions (past planned completion, not Green) and actions due in the next
    14 days (not yet Green, completion or a milestone due)."""
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    summaries = {pk: PlanSummary() for pk in plan_ids}
    for row in Action.objects.filter(plan_id__in=plan_ids).values("plan_id", "rag_status").annotate(n=Count("pk")):
        summary = summaries[row["plan_id"]]
        summary.by_rag[row["rag_status"]] = row["n"]
        summary.total += row["n"]
    overdue = (Milestone.objects.filter(action__plan_id__in=plan_ids, done_on__isnull=True, due_on__lt=today)
               .values("action__plan_id").annotate(n=Count("pk")))
    for row in overdue:
        summaries[row["action__plan_id"]].overdue_milestones = row["n"]
    late = (Action.objects.filter(plan_id__in=plan_ids, planned_completion__lt=today).exclude(rag_status=Rag.GREEN)
            .values("plan_id").annotate(n=Count("pk")))
    for row in late:
        summaries[row["plan_id"]].overdue_actions = row["n"]
    milestone_soon = Milestone.objects.filter(action=OuterRef("pk"), done_on__isnull=True,
                                              due_on__gte=today, due_on__lte=soon)
    due = (Action.objects.filter(plan_id__in=plan_ids).exclude(rag_status=Rag.GREEN)
           .filter(Q(planned_completion__gte=today, planned_completion__lte=soon) | Exists(milestone_soon))
           .values("plan_id").annotate(n=Count("pk")))
    for row in due:
        summaries[row["plan_id"]].due_soon = row["n"]
    return summaries


def plan_summary(plan, today=None):
    return summaries_for_plans([plan.pk], today)[plan.pk]


def plan_actions(plan, today=None):
    """The plan's actions with milestones, grouped by key question (in CQC order), by priority."""
    actions = list(plan.actions.select_related("lead_user").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        "evidence").order_by("priority", "pk"))
    order = [key for key, _label in KEY_QUESTION_CHOICES]
    labels = dict(KEY_QUESTION_CHOICES)
    groups = []
    for key in order:
        members = [a for a in actions if a.key_question == key]
        if members:
            groups.append((labels[key], members))
    return groups


def action_detail(user, pk):
    action = policy.get_action_or_404(user, pk)
    return {
        "action": action,
        "milestones": list(action.milestones.select_related("done_by")),
        "progress": list(action.progress.select_related("by")),
        "rag_changes": list(RagChange.objects.filter(action=action).select_related("by")),
        "evidence": list(action.evidence.select_related("uploaded_by")),
        "contract": action.plan.contract,
    }


def version_diff(older, newer):
    """Per section, the words removed and added between two report versions, for display."""
    sections = []
    for name, heading in REPORT_SECTIONS:
        before = (older.sections.get(name, "") if older else "").split()
        after = newer.sections.get(name, "").split()
        if before == after:
            continue
        pieces = []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(("same", " ".join(before[a1:a2])))
            if op in ("delete", "replace"):
                pieces.append(("removed", " ".join(before[a1:a2])))
            if op in ("insert", "replace"):
                pieces.append(("added", " ".join(after[b1:b2])))
        sections.append((heading, pieces))
    return sections


def rag_counts_by_commissioner(actions, *, commissioner=None):
    """Counts of actions by RAG status per commissioner of their contracts, in one query."""
    if commissioner is not None:
        actions = actions.filter(Q(plan__contract__commissioner=commissioner)
                                 | Q(plan__contract__commissioner__parent=commissioner))
    return list(
        actions.order_by()
        .values(commissioner=F("plan__contract__commissioner__ods_code"),
                commissioner_name=F("plan__contract__commissioner__name"))
        .annotate(**{rag: Count("pk", filter=Q(rag_status=rag)) for rag in Rag.values}, total=Count("pk"))
        .order_by("commissioner")
    )
