"""CQC rating vocabulary: the four bands, five key questions and six population groups."""

from django.db import models


class Rating(models.TextChoices):
    """The four CQC bands, declared worst to best."""

    INADEQUATE = "inadequate", "Inadequate"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    GOOD = "good", "Good"
    OUTSTANDING = "outstanding", "Outstanding"


RATING_ORDER = {value: index for index, value in enumerate(Rating.values)}

# Key questions: (model field, CQC API name, label).
KEY_QUESTIONS = [
    ("safe", "Safe", "Safe"),
    ("effective", "Effective", "Effective"),
    ("caring", "Caring", "Caring"),
    ("responsive", "Responsive", "Responsive"),
    ("well_led", "Well-led", "Well-led"),
]

# Population groups: (model field, CQC API serviceRatings name, label).
POPULATION_GROUPS = [
    ("pg_older_people", "old", "Older people"),
    ("pg_long_term_conditions", "conditions", "People with long-term conditions"),
    ("pg_families_children", "mothers", "Families, children and young people"),
    ("pg_working_age", "population", "Working age people (including those recently retired and students)"),
    ("pg_vulnerable", "vulnerable", "People whose circumstances may make them vulnerable"),
    ("pg_mental_health", "problems", "People experiencing poor mental health (including people with dementia)"),
]

# CQC's words for "no rating": an inspection that carries one of these is not a rating.
NOT_A_RATING = {"no published rating", "inspected but not rated", "not rated", ""}

_BY_WORD = {label.lower(): value for value, label in Rating.choices} | {value: value for value in Rating.values}
_BY_WORD["requires improvement"] = Rating.REQUIRES_IMPROVEMENT


class UnknownRating(ValueError):
    pass


def parse_rating(word):
    """Map a CQC rating word to a Rating value; None for "no published rating" and the like.

    Raises UnknownRating for anything else, so a typo is never silently dropped.
    """
    if word is None:
        return None
    key = str(word).strip().lower()
    if key in NOT_A_RATING:
        return None
    try:
        return _BY_WORD[key]
    except KeyError:
        raise UnknownRating(f"unknown rating {word!r}") from None


TAG_COLOURS = {
    Rating.OUTSTANDING: "nhsuk-tag--blue",
    Rating.GOOD: "nhsuk-tag--green",
    Rating.REQUIRES_IMPROVEMENT: "nhsuk-tag--orange",
    Rating.INADEQUATE: "nhsuk-tag--red",
}
