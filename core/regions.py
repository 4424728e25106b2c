"""NHS England's regions, as the ODS GP practice file codes them (epraccur.csv column 3, "national grouping").

Seven regions today. A practice still carrying a code of the regions before 2020 (Y54, Y55, Y57), Wales' W00, the
catch-all Y99 or none takes its current commissioner's region (practices/regions.py), or has none: "region not
known". The table is here, in the core, because a person's NHSE regional membership names a region too.
"""

from django.db import models


class Region(models.TextChoices):
    LONDON = "Y56", "London"
    SOUTH_WEST = "Y58", "South West"
    SOUTH_EAST = "Y59", "South East"
    MIDLANDS = "Y60", "Midlands"
    EAST_OF_ENGLAND = "Y61", "East of England"
    NORTH_WEST = "Y62", "North West"
    NORTH_EAST_AND_YORKSHIRE = "Y63", "North East and Yorkshire"


# Codes a practice may still carry that name no current region.
LEGACY_CODES = {"Y54": "North of England (before 2020)", "Y55": "Midlands and East of England (before 2020)",
                "Y57": "South of England (before 2020)", "W00": "Wales", "Y99": "Not applicable"}
NOT_KNOWN = "Region not known"


def current_region(code):
    """``code`` if it is a current region's, else ''."""
    code = (code or "").strip().upper()
    return code if code in Region.values else ""


def region_label(code):
    """A region's name, or "Region not known"."""
    return Region(code).label if code in Region.values else NOT_KNOWN
