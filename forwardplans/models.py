"""Diagnostic reports and forward plans: models arrive with issue #4."""
