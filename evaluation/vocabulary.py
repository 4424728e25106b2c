"""Words of the evaluation at closure (002 Annex 1: the practice's anonymised feedback; 003 §9: case studies)."""

from django.db import models

# The practice's feedback on the support: (key, statement) answered on forwardplans.vocabulary.AGREEMENT_SCALE.
PRACTICE_FEEDBACK_STATEMENTS = [
    ("understood", "The advisers understood the practice's situation."),
    ("useful", "The support was useful to the practice."),
    ("plan", "The forward plan is helping the practice improve."),
    ("recommend", "We would recommend this support to another practice."),
]


class Naming(models.TextChoices):
    """The practice's choice for a case study that is published (003 §9: it may opt out of being named)."""

    NAMED = "named", "Named: the practice's name may be published"
    ANONYMISED = "anonymised", "Anonymised: the practice is not named"


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"
