"""Contractual action by a commissioner on a practice's GMS, PMS or APMS contract (002 Chapter 3, Annexes 7-9)."""
