"""RCGP contracts, referrals and adviser teams: models arrive with issue #3."""
