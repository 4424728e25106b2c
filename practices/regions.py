"""Each practice's and commissioner's NHS England region (core/regions.py), derived from the ODS file's codes.

A practice's region is its ODS code when that is a current region's. A commissioner's is the current region most of
its practices carry (an ICB's: most of the practices of it and its sub-ICB locations); failing that, its ICB's. A
practice whose code names no current region (a code of the regions before 2020, W00, Y99 or none) takes its
commissioner's; with none known, its region is "not known" (blank). ``regions_refresh`` keeps the stored values
current: the ODS import calls it, and so does anything that moves a practice or changes its code.
"""

from collections import Counter, defaultdict

from core.regions import current_region

from .models import Commissioner, Practice


def _most_common(counter):
    # Ties go to the lower code, so the answer does not depend on the order rows came in.
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0] if counter else ""


def regions_refresh():
    """Derive every commissioner's and practice's region again, saving only those that changed. Four queries and
    two bulk updates at England's size (some 6,500 practices). Returns (commissioners, practices) changed."""
    parent_of, stored = {}, {}
    for pk, parent_id, region in Commissioner.objects.values_list("pk", "parent_id", "region"):
        parent_of[pk], stored[pk] = parent_id, region
    counts = defaultdict(Counter)
    practices = list(Practice.objects.values_list("pk", "commissioner_id", "ods_region", "region"))
    for _pk, commissioner_id, ods_region, _region in practices:
        code = current_region(ods_region)
        if code:
            counts[commissioner_id][code] += 1
            if parent_of.get(commissioner_id):
                counts[parent_of[commissioner_id]][code] += 1
    derived = {pk: _most_common(counts[pk]) for pk in parent_of}
    for pk, parent_id in parent_of.items():
        if not derived[pk] and parent_id:
            derived[pk] = derived.get(parent_id, "")
    commissioners = [Commissioner(pk=pk, region=region) for pk, region in derived.items() if stored[pk] != region]
    Commissioner.objects.bulk_update(commissioners, ["region"], batch_size=1000)
    changed = []
    for pk, commissioner_id, ods_region, region in practices:
        wanted = current_region(ods_region) or derived.get(commissioner_id, "")
        if wanted != region:
            changed.append(Practice(pk=pk, region=wanted))
    Practice.objects.bulk_update(changed, ["region"], batch_size=1000)
    return len(commissioners), len(changed)
