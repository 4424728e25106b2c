"""Delivery: the advisers' visits, meetings, interviews and the support they gave."""
