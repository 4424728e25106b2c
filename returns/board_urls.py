"""The targets board, allocations and targets (returns/board_views.py)."""

urlpatterns = []
