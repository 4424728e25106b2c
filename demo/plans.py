"""The demo's forward plans tied to what the inspection found: each plan answers its practice's latest rated
inspection, a few actions answer more than one regulation or key question, and DEMO-SHARED's plan has been sent to
CQC and agreed. Idempotent: run after demo.data's seeding, as often as you like, it adds nothing twice."""

from core.models import User
from core.roles import Role
from forwardplans import plan_versions, services
from forwardplans.models import Action, ForwardPlan, PlanVersion

# action planned (as demo.documents writes it) → what it answers besides what its regulation text names
MORE_LINKS = {
    "Delegate operational management to the practice manager in writing": {
        "regulations": ["Regulation 17: Good governance"], "other_key_questions": ["effective"]},
    "Introduce a monitored recall for patients on high-risk drugs": {
        "regulations": ["Regulation 17: Good governance"], "other_key_questions": ["well_led"]},
    "Log, review and learn from every complaint": {"other_key_questions": ["well_led"]},
}
# (reason, party, who records it) for DEMO-SHARED, in order
SHARED_PLAN_VERSIONS = [("sent_to_cqc", None, "practice_lead"), ("agreed", "rcgp", "deputy_lead"),
                        ("agreed", "commissioner", "commissioner_lead")]


def _people(contract):
    commissioners = [contract.commissioner_id, contract.commissioner.parent_id]
    return {
        "rcgp_admin": User.objects.filter(role=Role.RCGP_ADMIN, is_active=True).order_by("pk").first(),
        "deputy_lead": contract.deputy_lead,
        "practice_lead": User.objects.filter(role=Role.PRACTICE_LEAD, practice=contract.practice_id,
                                             is_active=True).order_by("pk").first(),
        "commissioner_lead": User.objects.filter(role=Role.COMMISSIONER_LEAD, commissioner__in=commissioners,
                                                 is_active=True).order_by("pk").first(),
    }


def _link_actions(plan, actor):
    linked = 0
    for action in Action.objects.filter(plan=plan, action_planned__in=MORE_LINKS):
        more = MORE_LINKS[action.action_planned]
        changes = {}
        regulations = sorted({*action.regulations, *more.get("regulations", [])})
        if set(regulations) != set(action.regulations):
            changes["regulations"] = regulations
        others = [*action.other_key_questions, *[k for k in more.get("other_key_questions", [])
                                                 if k not in action.other_key_questions]]
        if others != action.other_key_questions:
            changes["other_key_questions"] = others
        if changes:
            services.action_update(action=action, actor=actor, base_version=action.version, **changes)
            linked += 1
    return linked


def seed_plan_links(log=print):
    """Tie the demo plans to their inspections and regulations, and keep DEMO-SHARED's versions."""
    tied = linked = kept = 0
    for plan in (ForwardPlan.objects.filter(contract__reference__startswith="DEMO-")
                 .select_related("contract__practice", "contract__commissioner", "contract__deputy_lead")):
        contract = plan.contract
        people = _people(contract)
        writer = people["deputy_lead"] or people["rcgp_admin"]
        if writer is None:
            continue
        latest = services.latest_rated_inspection(contract.practice_id)
        if plan.inspection_id is None and latest is not None:
            services.plan_set_inspection(plan=plan, actor=writer, inspection=latest, base_version=plan.version)
            tied += 1
        linked += _link_actions(plan, writer)
        if contract.reference == "DEMO-SHARED" and not PlanVersion.objects.filter(plan=plan).exists():
            for reason, party, who in SHARED_PLAN_VERSIONS:
                actor = people[who]
                if actor is None or plan_versions.refusal(actor, reason, party, contract):
                    continue  # the demo's consent or people are not as expected: keep what can be kept
                plan_versions.plan_version_record(plan=plan, reason=reason, party=party, version=plan.version,
                                                  actor=actor)
                kept += 1
    log(f"plans tied to what the inspection found: {tied} to their inspection, {linked} actions linked further, "
        f"{kept} versions kept")
    return tied, linked, kept

