"""The regions' data returns and the national roll-up (returns/return_views.py)."""

urlpatterns = []
