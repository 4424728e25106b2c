"""Evaluation: feedback at closure, the advisers' reflections and case studies."""
