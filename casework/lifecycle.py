"""The case lifecycle: a contract, its diagnostic report, forward plan and consent to share move together.

One table, MOVES, states the whole process (docs/lifecycle.md tells it in words). Each move says:

- on which track it happens: a contract whose programme has a diagnostic report, a forward plan and consent to
  share (special measures, diagnostic report and forward plan, resilience) follows the *documents* track; an away
  day, CQC preparation or ongoing support, and every contract imported from the RCGP's records, follows the
  *direct* track, from delivery to handover;
- from which stage it can be made and the stage it leads to (a step on a document may keep the stage);
- who may make it (rules of user and contract combined from the relations of core/relations.py, the same ones
  contracts/access.py and forwardplans/access.py build their querysets and checks from; and in words for the
  refusal);
- what the report and the consent must be before it, and what they become;
- any other condition (``guard``), what it creates and whom it tells.

Document moves drive the contract: sending the report puts the contract in factual accuracy review, the
practice's confirmation puts it at the consent decision, and the practice's decision takes it to the review
meeting. So the stage and the documents cannot disagree: STAGE_DOCUMENTS says which report and consent states go
with each stage, and tests/test_lifecycle.py walks the table to check that every reachable case keeps to it.
casework.services.case_move is the only way a move is made.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import models

from contracts.vocabulary import Programme
from contracts.workflow import SIDE_EXITS, State
from core.relations import commissioner_lead, practice_lead, rcgp_lead, rcgp_team
from core.roles import is_deputy_lead, is_rcgp_admin
from forwardplans.vocabulary import ConsentStatus, ReportState

S, R, C = State, ReportState, ConsentStatus


class Track(models.TextChoices):
    DOCUMENTS = "documents", "with a diagnostic report, a forward plan and consent to share"
    DIRECT = "direct", "support delivered without a diagnostic report"


DOCUMENT_PROGRAMMES = frozenset({Programme.SPECIAL_MEASURES, Programme.DIAGNOSTIC_FORWARD_PLAN,
                                 Programme.RESILIENCE})
BOTH = frozenset(Track.values)
DOCUMENTS, DIRECT = frozenset({Track.DOCUMENTS}), frozenset({Track.DIRECT})


def track_of(contract):
    """Imported contracts keep their documents outside this service: they take the direct track."""
    if contract.imported or contract.programme not in DOCUMENT_PROGRAMMES:
        return Track.DIRECT
    return Track.DOCUMENTS


PATHS = {
    Track.DOCUMENTS: [S.COMMISSIONED, S.LEAD_APPOINTED, S.TEAM_RECRUITED, S.SCOPING, S.REPORT_DRAFTING,
                      S.FACTUAL_ACCURACY_REVIEW, S.CONSENT_DECISION, S.REVIEW_MEETING, S.HANDED_OVER, S.CLOSED],
    Track.DIRECT: [S.COMMISSIONED, S.LEAD_APPOINTED, S.TEAM_RECRUITED, S.DELIVERY, S.HANDED_OVER, S.CLOSED],
}
LIVE = {track: [s for s in path if s != S.CLOSED] for track, path in PATHS.items()}
ALL_LIVE = [s for s in PATHS[Track.DOCUMENTS] if s != S.CLOSED] + [S.DELIVERY]

# Documents track: the report and consent states (None: not created yet) that go with each stage. A contract that
# left by a side exit keeps the documents of the stage it left from.
NOTHING = (frozenset({None}), frozenset({None}))
STAGE_DOCUMENTS = {
    S.COMMISSIONED: NOTHING, S.LEAD_APPOINTED: NOTHING, S.TEAM_RECRUITED: NOTHING, S.SCOPING: NOTHING,
    S.REPORT_DRAFTING: (frozenset({R.DRAFT}), frozenset({None})),
    S.FACTUAL_ACCURACY_REVIEW: (frozenset({R.WITH_PRACTICE, R.RETURNED}), frozenset({None})),
    S.CONSENT_DECISION: (frozenset({R.FINAL}), frozenset({C.NOT_DECIDED})),
    S.REVIEW_MEETING: (frozenset({R.FINAL}), frozenset({C.GIVEN, C.REFUSED, C.WITHDRAWN})),
    S.HANDED_OVER: (frozenset({R.FINAL}), frozenset({C.GIVEN, C.REFUSED, C.WITHDRAWN})),
    S.CLOSED: (frozenset({R.FINAL}), frozenset({C.GIVEN, C.REFUSED, C.WITHDRAWN})),
}


class Audience(models.TextChoices):
    """Whom a move tells (casework.audiences finds the people; the access policy decides what each may see)."""

    DEPUTY_LEAD = "deputy_lead", "the contract's deputy lead"
    TEAM = "team", "the contract's RCGP team (deputy lead and advisers)"
    PRACTICE_LEADS = "practice_leads", "the practice lead(s)"
    COMMISSIONER_LEADS = "commissioner_leads", "the commissioner's leads"
    COMMISSIONER_USERS = "commissioner_users", "the commissioner's leads and peer-support team"


class Record(models.TextChoices):
    """What a move creates."""

    DOCUMENTS = "documents", "the diagnostic report (a draft) and the forward plan"
    REPORT_VERSION = "report_version", "a kept version of the report"
    CONSENT = "consent", "the practice's consent decision (not decided yet)"


@dataclass
class Case:
    """A contract as the lifecycle sees it: its stage, track, report and consent (locked when a move is made)."""

    contract: object
    report: object = None
    consent: object = None

    @cached_property
    def track(self):
        return track_of(self.contract)

    @property
    def report_state(self):
        return self.report.state if self.report else None

    @property
    def consent_state(self):
        return self.consent.status if self.consent else None

    @cached_property
    def draft_corrections(self):
        return self.report.corrections.filter(returned_at__isnull=True).count() if self.report else 0

    @cached_property
    def unanswered_corrections(self):
        if not self.report:
            return 0
        return self.report.corrections.filter(returned_at__isnull=False, answer="").count()

    @cached_property
    def has_team(self):
        return self.contract.team_members.filter(removed_at__isnull=True).exists()

    def waiting_for(self, user):
        """What the case waits for from people other than ``user`` (waiting_for below), for pages."""
        return waiting_for(self, user)


def _has_team(case):
    return None if case.has_team else "Add at least one adviser to the team first."


def _report_written(case):
    if any((case.report.section_values() or {}).values()):
        return None
    return "Write at least one section of the report before sending it."


def _corrections_noted(case):
    if case.draft_corrections:
        return None
    return ("Note at least one correction (the passage and what it should say) before returning the report, or "
            "confirm it is accurate.")


def _corrections_answered(case):
    n = case.unanswered_corrections
    if not n:
        return None
    return f"Answer every correction the practice returned first: {n} still to answer."


def _no_corrections_left(case):
    n = case.draft_corrections
    if not n:
        return None
    return (f"You have noted {n} correction{'s' if n != 1 else ''}: return the report with "
            f"{'them' if n != 1 else 'it'}, or remove {'them' if n != 1 else 'it'}, before confirming it is accurate.")


@dataclass(frozen=True)
class Needs:
    """What a document must be before a move (``before``; None: not created yet) and what it becomes."""

    before: frozenset
    after: str | None = None


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    stages: dict              # {from stage: to stage}; the same stage when the move keeps it
    who: object               # a core.roles.Rule of (user, contract): who.q(user) is its queryset face
    who_text: str
    announcement: str         # the neutral sentence of its notification (no names, no document text)
    tracks: frozenset = BOTH
    report: Needs | None = None
    consent: Needs | None = None
    guard: object = None      # (case) -> refusal or None
    creates: tuple = ()
    notifies: tuple = ()
    needs_reason: bool = False
    needs_end_reason: bool = False
    sets_lead: bool = False   # the move names the contract's deputy lead
    caution: str = ""         # what the person pressing it should know first
    pages: tuple = ("contract",)  # where its button is: the contract page, the report page or the consent page
    scope: str = "contract"   # who may read its notification later: the contract's readers, or its documents'

    def to_stage(self, stage):
        return self.stages[stage]


RCGP_LEAD = "the contract's deputy lead or RCGP admin"
RCGP_TEAM = "the contract's RCGP team"
PRACTICE_LEAD = "the practice lead"
A = Audience
AFTER_CONSENT_DECISION = [S.REVIEW_MEETING, S.HANDED_OVER, S.CLOSED, *SIDE_EXITS]
NO_REPORT, NO_CONSENT = Needs(frozenset({None})), Needs(frozenset({None}))

MOVES = [
    Move("appoint_lead", "Appoint a deputy lead", {S.COMMISSIONED: S.LEAD_APPOINTED}, is_rcgp_admin | is_deputy_lead,
         "a deputy lead (who takes the lead) or RCGP admin", "a deputy lead has been appointed",
         notifies=(A.DEPUTY_LEAD, A.COMMISSIONER_LEADS), sets_lead=True, pages=("lead",)),
    Move("change_lead", "Change the deputy lead", {s: s for s in ALL_LIVE if s != S.COMMISSIONED}, is_rcgp_admin,
         "RCGP admin", "the deputy lead has changed", notifies=(A.DEPUTY_LEAD, A.TEAM), sets_lead=True,
         pages=("lead",)),
    Move("recruit_team", "Adviser team recruited", {S.LEAD_APPOINTED: S.TEAM_RECRUITED}, rcgp_lead, RCGP_LEAD,
         "the adviser team is in place", guard=_has_team, notifies=(A.TEAM, A.PRACTICE_LEADS)),
    Move("start_scoping", "Start scoping", {S.TEAM_RECRUITED: S.SCOPING}, rcgp_team, RCGP_TEAM,
         "the advisers have started scoping", tracks=DOCUMENTS, notifies=(A.PRACTICE_LEADS,)),
    Move("start_delivery", "Start delivering the support", {S.TEAM_RECRUITED: S.DELIVERY}, rcgp_team, RCGP_TEAM,
         "the advisers have started delivering the support", tracks=DIRECT, notifies=(A.PRACTICE_LEADS,)),
    Move("start_drafting", "Start the diagnostic report and forward plan", {S.SCOPING: S.REPORT_DRAFTING}, rcgp_team,
         RCGP_TEAM, "the diagnostic report and forward plan have been started", tracks=DOCUMENTS,
         report=Needs(frozenset({None}), R.DRAFT), creates=(Record.DOCUMENTS,), notifies=(A.TEAM,)),
    Move("send_report", "Approve and send the report to the practice for factual accuracy",
         {S.REPORT_DRAFTING: S.FACTUAL_ACCURACY_REVIEW}, rcgp_lead, RCGP_LEAD,
         "the diagnostic report has been sent to the practice to check its factual accuracy", tracks=DOCUMENTS,
         report=Needs(frozenset({R.DRAFT}), R.WITH_PRACTICE), guard=_report_written, creates=(Record.REPORT_VERSION,),
         notifies=(A.PRACTICE_LEADS, A.TEAM), pages=("contract", "report")),
    Move("return_report", "Return the report to the advisers with my corrections",
         {S.FACTUAL_ACCURACY_REVIEW: S.FACTUAL_ACCURACY_REVIEW}, practice_lead, PRACTICE_LEAD,
         "the practice has returned the diagnostic report with corrections", tracks=DOCUMENTS,
         report=Needs(frozenset({R.WITH_PRACTICE}), R.RETURNED), guard=_corrections_noted, notifies=(A.TEAM,),
         pages=("report",)),
    Move("resend_report", "Approve and send the corrected report to the practice",
         {S.FACTUAL_ACCURACY_REVIEW: S.FACTUAL_ACCURACY_REVIEW}, rcgp_lead, RCGP_LEAD,
         "the corrected diagnostic report has been sent back to the practice", tracks=DOCUMENTS,
         report=Needs(frozenset({R.RETURNED}), R.WITH_PRACTICE), guard=_corrections_answered,
         creates=(Record.REPORT_VERSION,), notifies=(A.PRACTICE_LEADS, A.TEAM), pages=("contract", "report")),
    Move("confirm_accuracy", "Confirm the report is factually accurate",
         {S.FACTUAL_ACCURACY_REVIEW: S.CONSENT_DECISION}, practice_lead, PRACTICE_LEAD,
         "the practice has confirmed the diagnostic report is factually accurate", tracks=DOCUMENTS,
         report=Needs(frozenset({R.WITH_PRACTICE}), R.FINAL), consent=Needs(frozenset({None}), C.NOT_DECIDED),
         guard=_no_corrections_left, creates=(Record.REPORT_VERSION, Record.CONSENT),
         notifies=(A.TEAM, A.PRACTICE_LEADS), pages=("report",),
         caution="Confirming makes this the final report: it cannot be changed afterwards."),
    Move("give_consent", "Give consent to share",
         {S.CONSENT_DECISION: S.REVIEW_MEETING, **{s: s for s in AFTER_CONSENT_DECISION}}, practice_lead,
         PRACTICE_LEAD, "the practice has agreed to share the diagnostic report and forward plan with the "
         "commissioner", tracks=DOCUMENTS,
         consent=Needs(frozenset({C.NOT_DECIDED, C.REFUSED, C.WITHDRAWN}), C.GIVEN),
         notifies=(A.TEAM, A.COMMISSIONER_USERS), pages=("consent",), scope="documents"),
    Move("refuse_consent", "Refuse consent",
         {S.CONSENT_DECISION: S.REVIEW_MEETING, **{s: s for s in AFTER_CONSENT_DECISION}}, practice_lead, PRACTICE_LEAD,
         "the practice has decided not to share the diagnostic report and forward plan with the commissioner",
         tracks=DOCUMENTS, consent=Needs(frozenset({C.NOT_DECIDED}), C.REFUSED), notifies=(A.TEAM,),
         pages=("consent",)),
    Move("withdraw_consent", "Withdraw consent", {s: s for s in AFTER_CONSENT_DECISION}, practice_lead, PRACTICE_LEAD,
         "the practice has withdrawn its consent to share the diagnostic report and forward plan", tracks=DOCUMENTS,
         consent=Needs(frozenset({C.GIVEN}), C.WITHDRAWN), notifies=(A.TEAM, A.COMMISSIONER_USERS),
         pages=("consent",)),
    Move("hand_over", "Record the handover to the commissioner",
         {S.REVIEW_MEETING: S.HANDED_OVER, S.DELIVERY: S.HANDED_OVER},
         rcgp_lead | commissioner_lead, f"{RCGP_LEAD}, or the commissioner's lead",
         "support has been handed over to the commissioner",
         notifies=(A.COMMISSIONER_USERS, A.PRACTICE_LEADS, A.TEAM)),
    Move("close", "Close the contract", {S.HANDED_OVER: S.CLOSED}, is_rcgp_admin | commissioner_lead,
         "RCGP admin or the commissioner's lead", "the contract has been closed", needs_end_reason=True,
         notifies=(A.TEAM, A.COMMISSIONER_LEADS, A.PRACTICE_LEADS)),
]
_EXIT_WHO = {
    S.DECLINED_BY_PRACTICE: (rcgp_lead | commissioner_lead | practice_lead,
                             f"{RCGP_LEAD}, the commissioner's lead or the practice lead"),
    S.WITHDRAWN: (rcgp_lead | commissioner_lead, f"{RCGP_LEAD}, or the commissioner's lead"),
    S.FAILED_TO_ENGAGE: (rcgp_lead | commissioner_lead, f"{RCGP_LEAD}, or the commissioner's lead"),
}
for _exit, (_who, _text) in _EXIT_WHO.items():
    MOVES.append(Move(str(_exit), State(_exit).label, dict.fromkeys(ALL_LIVE, _exit), _who, _text,
                      f"the contract has ended: {State(_exit).label.lower()}", needs_reason=True,
                      notifies=(A.TEAM, A.COMMISSIONER_LEADS, A.PRACTICE_LEADS)))

BY_NAME = {move.name: move for move in MOVES}


def who_refusal(move, user, contract):
    """Why ``user`` may never make ``move`` on ``contract`` (None: it is theirs to make, at the right time)."""
    return None if move.who.test(user, contract) else f"Only {move.who_text} can do this: “{move.label}”."


def refusal(move, case, user):
    """Why ``user`` may not make ``move`` on ``case`` now (None: they may), in the order the table is read: the
    track, who may, the stage, the documents, then the move's own condition."""
    contract = case.contract
    if case.track not in move.tracks:
        imported = " imported from the RCGP's records" if contract.imported else ""
        return (f"“{move.label}” is not a step of this contract: {contract.get_programme_display()}{imported} is "
                f"{Track(case.track).label}.")
    if why := who_refusal(move, user, contract):
        return why
    if contract.state not in move.stages:
        return (f"Contract {contract.reference} is at “{contract.get_state_display()}”: “{move.label}” is not "
                "possible now.")
    if move.report and case.report_state not in move.report.before:
        if case.report is None:
            return "The diagnostic report has not been started yet."
        return f"The diagnostic report is “{case.report.get_state_display()}”: “{move.label}” is not possible now."
    if move.consent and case.consent_state not in move.consent.before:
        if case.consent is None:
            return "The practice is asked for consent to share once it has confirmed the report is accurate."
        return f"Consent is “{case.consent.get_status_display()}”: “{move.label}” is not possible now."
    return move.guard(case) if move.guard else None


def moves_for(case, user, *, guards=True):
    """[(move, blocked)] the user may make on this case at its stage, with the move's own condition where it is not
    met yet (``blocked``: the reason, shown instead of the button; not looked at without ``guards``)."""
    found = []
    for move in MOVES:
        if case.track not in move.tracks or case.contract.state not in move.stages:
            continue
        if move.report and case.report_state not in move.report.before:
            continue
        if move.consent and case.consent_state not in move.consent.before:
            continue
        if not move.who.test(user, case.contract):
            continue
        found.append((move, move.guard(case) if move.guard and guards else None))
    return found


def forward_moves(case):
    """The moves that take the case on from where it is now (its track, stage and documents), whoever may make
    them: those that change its stage or its report. Side exits, a change of lead and a change of a decision
    already made keep the case where it is: they are never what it waits for."""
    state = case.contract.state
    found = []
    for move in MOVES:
        if move.needs_reason or case.track not in move.tracks or state not in move.stages:
            continue
        if move.report and case.report_state not in move.report.before:
            continue
        if move.consent and case.consent_state not in move.consent.before:
            continue
        if move.to_stage(state) != state or (move.report and move.report.after):
            found.append(move)
    return found


def waiting_for(case, user):
    """[(who, [move labels])]: what the case waits for from other people, in the table's words: its forward moves
    that ``user`` may not make, by who may make them. Empty when the next move is the user's own."""
    waiting = {}
    for move in forward_moves(case):
        if move.who.test(user, case.contract):
            return []
        waiting.setdefault(move.who_text, []).append(move.label)
    return list(waiting.items())


def _stages_in_words(stages):
    moving = [(a, b) for a, b in stages.items() if a != b]
    staying = [a for a, b in stages.items() if a == b]
    words = []
    if {a for a, _b in moving} == set(ALL_LIVE) and len({b for _a, b in moving}) == 1:
        words.append(f"any live stage → {State(moving[0][1]).label}")
    else:
        words += [f"{State(a).label} → {State(b).label}" for a, b in moving]
    if set(staying) == set(ALL_LIVE) - {S.COMMISSIONED}:
        words.append("stays, at any live stage after Commissioned")
    elif staying:
        words.append("stays, at " + ", ".join(State(a).label for a in staying))
    return words


def table_markdown():
    """The table as Markdown, for docs/lifecycle.md (tests/test_lifecycle.py keeps the two the same)."""
    def states(needs, labels):
        if needs is None:
            return "–"
        before = ", ".join(sorted("none yet" if s is None else labels[s] for s in needs.before))
        return f"{before} → {labels[needs.after]}" if needs.after else before

    report_labels, consent_labels = dict(ReportState.choices), dict(ConsentStatus.choices)
    rows = ["| Move | Track | Stage: from → to | Report | Consent | Who may | Creates | Tells |",
            "|---|---|---|---|---|---|---|---|"]
    for move in MOVES:
        tracks = "both" if move.tracks == BOTH else next(iter(move.tracks))
        stages = "; ".join(_stages_in_words(move.stages))
        rows.append(" | ".join([
            f"| {move.label}{' (with a reason)' if move.needs_reason else ''}", tracks, stages,
            states(move.report, report_labels), states(move.consent, consent_labels), move.who_text,
            ", ".join(Record(r).label for r in move.creates) or "–",
            ", ".join(Audience(a).label for a in move.notifies) or "–"]) + " |")
    return "\n".join(rows)
