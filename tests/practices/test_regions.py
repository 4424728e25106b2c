"""Each practice's and commissioner's NHS England region (practices/regions.py), from the ODS file's column 3.

The real ODS sample (practices/demo_data/ods-epraccur-sample.csv, the same as ../shared/realdata's) was read by hand
for the cases below:
- 01K: practices A82005, A82053, A82068 carry Y62 (North West) and P81190 the pre-2020 Y54: the commissioner is
  in the North West, so P81190 is too;
- 03F: seven practices carry Y63 and five Y54: 03F is North East and Yorkshire, and B81081 (Y54) with it;
- 00K: its one GP practice, A81623, carries Y54, but its ICB (column 4: Q74) also holds A83042 (00D) and A89620
  (00P), both Y63: 00K takes its ICB's region, North East and Yorkshire, and A81623 with it;
- 99D: its one practice, C83017, carries Y55 (pre-2020 Midlands and East), and every GP practice under its ICB
  (Q78) carries Y55 too: region not known.
"""

import pytest
from django.db.models import F

from core.regions import NOT_KNOWN, Region, current_region, region_label
from practices.imports.ods import import_ods_practices
from practices.models import Commissioner, Practice
from practices.regions import regions_refresh

from ..conftest import ODS_SAMPLE
from .factories import CommissionerFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def test_the_seven_regions_and_the_codes_that_name_none():
    assert len(Region.values) == 7
    assert region_label("Y62") == "North West"
    assert [current_region(code) for code in ("Y56", "y63", "Y54", "Y55", "Y57", "W00", "Y99", "", None)] == [
        "Y56", "Y63", "", "", "", "", "", "", ""]
    assert region_label("") == NOT_KNOWN == "Region not known"


def test_the_ods_import_keeps_the_code_and_derives_each_region():
    import_ods_practices(ODS_SAMPLE)
    region = dict(Practice.objects.values_list("ods_code", "region"))
    ods_region = dict(Practice.objects.values_list("ods_code", "ods_region"))
    assert (ods_region["P81190"], region["P81190"]) == ("Y54", "Y62")
    assert [region[code] for code in ("A82005", "A82053", "A82068")] == ["Y62"] * 3
    assert (ods_region["B81081"], region["B81081"]) == ("Y54", "Y63")
    assert (ods_region["A81623"], region["A81623"]) == ("Y54", "Y63")
    assert (ods_region["C83017"], region["C83017"]) == ("Y55", "")
    commissioners = dict(Commissioner.objects.values_list("ods_code", "region"))
    assert (commissioners["01K"], commissioners["03F"], commissioners["00K"], commissioners["99D"]) == (
        "Y62", "Y63", "Y63", "")
    # Every practice with a current code is in that region.
    assert not Practice.objects.filter(ods_region__in=Region.values).exclude(region=F("ods_region")).exists()
    # Importing the same file again changes nothing.
    again = import_ods_practices(ODS_SAMPLE)
    assert again.updated == 0 and regions_refresh() == (0, 0)


def test_a_sub_icb_location_without_a_current_code_takes_its_icbs_region_and_a_tie_goes_to_the_lower_code():
    icb = CommissionerFactory(ods_code="QX1", kind=Commissioner.Kind.ICB)
    midlands = CommissionerFactory(ods_code="91A", parent=icb)
    legacy = CommissionerFactory(ods_code="91B", parent=icb)
    tied = CommissionerFactory(ods_code="91C")
    for code in ("Y60", "Y60"):
        PracticeFactory(commissioner=midlands, ods_region=code)
    old = PracticeFactory(commissioner=legacy, ods_region="Y55")
    none = PracticeFactory(commissioner=legacy, ods_region="")
    PracticeFactory(commissioner=tied, ods_region="Y61")
    PracticeFactory(commissioner=tied, ods_region="Y59")
    assert regions_refresh() == (4, 6)
    icb.refresh_from_db(), legacy.refresh_from_db(), tied.refresh_from_db()
    assert (icb.region, legacy.region, tied.region) == ("Y60", "Y60", "Y59")
    assert Practice.objects.get(pk=old.pk).region == "Y60"
    assert Practice.objects.get(pk=none.pk).region == "Y60"


def test_a_practice_that_moves_commissioner_takes_the_new_ones_region():
    north_west = CommissionerFactory(ods_code="92A")
    london = CommissionerFactory(ods_code="92B")
    PracticeFactory(commissioner=north_west, ods_region="Y62")
    PracticeFactory(commissioner=london, ods_region="Y56")
    mover = PracticeFactory(commissioner=north_west, ods_region="Y57")
    regions_refresh()
    assert Practice.objects.get(pk=mover.pk).region == "Y62"
    Practice.objects.filter(pk=mover.pk).update(commissioner=london)
    regions_refresh()
    assert Practice.objects.get(pk=mover.pk).region == "Y56"
