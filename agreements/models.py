"""Agreements: the memorandum of understanding between practice, commissioner and RCGP."""
