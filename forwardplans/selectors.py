"""Reads of reports and plans (always from the access policy) and the plan summary figures."""

import datetime
import difflib
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum

from practices.regulations import regulation_order

from . import access
from .models import Action, Milestone, PlanVersion, RagChange
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
    """{plan id: PlanSummary} for many plans in one query, whatever their size, counted by PostgreSQL per plan:
    actions by RAG, overdue actions (past planned completion, not Green), actions due in the next 14 days (not yet
    Green, completion or an open milestone due) and open milestones already overdue.

    Milestones are counted per action, so PostgreSQL probes milestone_open_action_idx for each of the plans'
    actions rather than joining them to every open overdue milestone in England."""
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    summaries = {pk: PlanSummary() for pk in plan_ids}
    if not summaries:
        return summaries
    open_milestones = Milestone.objects.filter(action=OuterRef("pk"), done_on__isnull=True).order_by()
    overdue_milestones = (open_milestones.filter(due_on__lt=today).values("action")
                          .annotate(n=Count("pk")).values("n"))
    not_green = ~Q(rag_status=Rag.GREEN)
    rows = (Action.objects.filter(plan_id__in=plan_ids).order_by().values("plan_id")
            .annotate(total=Count("pk"), **{rag: Count("pk", filter=Q(rag_status=rag)) for rag in Rag.values},
                      overdue_actions=Count("pk", filter=not_green & Q(planned_completion__lt=today)),
                      due_soon=Count("pk", filter=not_green & (
                          Q(planned_completion__gte=today, planned_completion__lte=soon)
                          | Q(Exists(open_milestones.filter(due_on__gte=today, due_on__lte=soon))))),
                      overdue_milestones=Sum(Subquery(overdue_milestones))))
    for row in rows:
        summary = summaries[row["plan_id"]]
        summary.total, summary.overdue_actions, summary.due_soon = row["total"], row["overdue_actions"], row["due_soon"]
        summary.overdue_milestones = row["overdue_milestones"] or 0
        summary.by_rag = {rag: row[rag] for rag in Rag.values}
    return summaries


def plan_summary(plan, today=None):
    return summaries_for_plans([plan.pk], today)[plan.pk]


def summary_of_groups(groups, today=None):
    """The PlanSummary of a plan whose actions and milestones are loaded (plan_actions()), with no query: the
    same figures as summaries_for_plans() (tests/test_forwardplans.py holds the two equal)."""
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    summary = PlanSummary()
    for _key_question, actions in groups:
        for action in actions:
            summary.total += 1
            summary.by_rag[action.rag_status] += 1
            open_due = [m.due_on for m in action.milestones.all() if m.done_on is None]
            summary.overdue_milestones += sum(1 for due in open_due if due < today)
            if action.rag_status != Rag.GREEN:
                summary.overdue_actions += action.planned_completion < today
                summary.due_soon += (today <= action.planned_completion <= soon
                                     or any(today <= due <= soon for due in open_due))
    return summary


# What the plan page shows of each action (templates/forwardplans/plan.jinja), not its long texts.
PLAN_PAGE_FIELDS = ("plan_id", "key_question", "other_key_questions", "priority", "action_planned", "regulations",
                    "regulation_other", "root_causes", "lead_person", "planned_completion", "rag_status", "version")


def plan_actions(plan, fields=None):
    """The plan's actions with milestones, grouped by key question (in CQC order), by priority. ``fields``: only
    these fields of each action (the rest load on access, one query each: ask for what is shown)."""
    actions = plan.actions.prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")))
    if fields:
        actions = actions.only(*fields)
    actions = list(actions.order_by("priority", "pk"))
    order = [key for key, _label in KEY_QUESTION_CHOICES]
    labels = dict(KEY_QUESTION_CHOICES)
    groups = []
    for key in order:
        members = [a for a in actions if a.key_question == key]
        if members:
            groups.append((labels[key], members))
    return groups


ACTION_PARTS = ("milestones", "progress", "rag_changes", "evidence")


def action_detail(user, pk, parts=ACTION_PARTS, action=None):
    """An action the user may see (or 404) and the ``parts`` of it a page or panel shows. ``action``: the same
    action, already fetched through the access policy in this request."""
    action = action or access.get_action_or_404(user, pk)
    loaders = {
        "milestones": lambda: action.milestones.select_related("done_by"),
        "progress": lambda: action.progress.select_related("by"),
        "rag_changes": lambda: RagChange.objects.filter(action=action).select_related("by"),
        "evidence": lambda: action.evidence.select_related("uploaded_by"),
    }
    return {"action": action, "contract": action.plan.contract, **{part: list(loaders[part]()) for part in parts}}


def report_corrections(report, *, drafts):
    """{section: [corrections]} of the report: every one returned to the advisers (with its answer), and the
    practice's drafts when ``drafts`` (the practice's side only)."""
    corrections = report.corrections.select_related("raised_by", "answered_by").order_by("raised_at", "pk")
    if not drafts:
        corrections = corrections.filter(returned_at__isnull=False)
    by_section = {}
    for correction in corrections:
        by_section.setdefault(correction.section, []).append(correction)
    return by_section


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


NO_REGULATION = "No regulation named"


def action_headings(action):
    """The headings an action counts under in the CQC action plan: each regulation it answers, then its other
    wording, or "No regulation named"."""
    return [*action.regulations, *filter(None, [action.regulation_other])] or [NO_REGULATION]


def _heading_order(heading):
    """CQC's regulations in CQC's order, then any other wording alphabetically, then actions that name none."""
    if heading == NO_REGULATION:
        return (2, 0, "")
    return regulation_order(heading)


def cqc_action_plan(plan):
    """The plan as the practice reports it to CQC: under each regulation (CQC's order) the actions that answer it,
    by key question then priority. An action answering two regulations is under both."""
    order = {key: n for n, (key, _label) in enumerate(KEY_QUESTION_CHOICES)}
    by_heading = {}
    for _key_question, actions in plan_actions(plan):
        for action in actions:
            for heading in action_headings(action):
                by_heading.setdefault(heading, []).append(action)
    return [(heading, sorted(actions, key=lambda a: (order.get(a.key_question, 99), a.priority, a.pk)))
            for heading, actions in sorted(by_heading.items(), key=lambda item: _heading_order(item[0]))]


def plan_versions(plan):
    """The plan's kept versions, newest first, without their snapshots (the plan page's list)."""
    return list(PlanVersion.objects.filter(plan=plan).select_related("by", "inspection")
                .defer("snapshot").order_by("-number"))
