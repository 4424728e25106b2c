"""The demo's levels of support: derived for every practice (Y01124, in special measures, is Rescue), then a few
Oldham practices (00Y) set by hand by the demo's commissioner lead, with their reasons: Lees (P85022) Resilience
after its handed-over support, one well-rated practice Excellence (the peer-support demo pairs it with a Rescue one)
and another Improvement. Should no Oldham practice be in special measures, one is set to Rescue by hand, so that both
ends of the scale are there.

Through the services. Idempotent: a practice that already has a level set by hand is left as it is, so running the
seed again adds nothing and keeps what people changed since."""

from django.db.models import Q

from core.models import User
from levels.models import Level, LevelChange, PracticeLevel, Source
from levels.services import in_special_measures, levels_derive, practice_level_set
from practices.models import Practice

COMMISSIONER = "00Y"
# (ODS code or None: the best-rated practice not yet chosen, level, reason)
HAND_SET = [
    ("P85022", Level.RESILIENCE, "Handed over after the programme's support: tailored support continues while the "
                                 "new partnership settles."),
    (None, Level.EXCELLENCE, "Rated Outstanding or Good in every key question; offers to support another practice "
                             "through the peer-support scheme."),
    ("P85026", Level.IMPROVEMENT, "Leadership course and the practice manager's diploma place this year."),
]
RESCUE_FALLBACK = "P85610"


def _oldham():
    return (Practice.objects.filter(Q(commissioner__ods_code=COMMISSIONER)
                                    | Q(commissioner__parent__ods_code=COMMISSIONER))
            .exclude(status=Practice.Status.CLOSED))


def _best_rated(exclude):
    """The Oldham practice with the best current rating, not in special measures and not yet given a level."""
    order = {"outstanding": 0, "good": 1}
    candidates = [p for p in _oldham().with_current_rating().exclude(pk__in=exclude).order_by("ods_code")
                  if p.current_rating in order and p.sm_started_on is None]
    return min(candidates, key=lambda p: order[p.current_rating], default=None)


def _set(practice, level, reason, actor, log):
    if LevelChange.objects.filter(practice=practice, source=Source.SET).exists():
        return  # set by hand before (by the seed or by someone since): left alone
    if practice.pk in in_special_measures([practice.pk]):
        return  # Rescue while in special measures
    version = PracticeLevel.objects.filter(practice=practice).values_list("version", flat=True).first() or 0
    practice_level_set(practice=practice, level=level, reason=reason, base_version=version, actor=actor)
    log(f"levels: {practice.ods_code} set to {level.label}")


def seed_levels(log=print):
    changed = levels_derive()
    log(f"levels: derived, {changed} practice{'' if changed == 1 else 's'} changed")
    lead = User.objects.filter(username="demo-commissioner_lead", is_active=True).first()
    if lead is None:
        log("levels: no demo commissioner lead, nothing set by hand")
        return
    chosen = set()
    for code, level, reason in HAND_SET:
        if code is None:
            already = _oldham().filter(support_level__level=level).first()
            practice = already or _best_rated(exclude=chosen | {p.pk for p in _oldham().filter(
                ods_code__in=[c for c, _l, _r in HAND_SET if c])})
        else:
            practice = _oldham().filter(ods_code=code).first()
        if practice is None:
            log(f"levels: no Oldham practice for {level.label}, skipped")
            continue
        chosen.add(practice.pk)
        _set(practice, level, reason, lead, log)
    if not _oldham().filter(support_level__level=Level.RESCUE).exists():
        practice = _oldham().filter(ods_code=RESCUE_FALLBACK).first()
        if practice is not None:
            _set(practice, Level.RESCUE, "At risk of closure: the partnership is dissolving and the list is to be "
                                         "dispersed unless a provider is found.", lead, log)
