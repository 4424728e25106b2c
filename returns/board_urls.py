"""The targets board, allocations and targets (returns/board_views.py)."""

from django.urls import path

from . import board_views

urlpatterns = [
    path("", board_views.board_view, name="board"),
    path("regions/<str:code>/", board_views.region_view, name="region"),
    path("allocations/", board_views.allocations_view, name="allocations"),
    path("targets/<int:year>/", board_views.targets_view, name="targets"),
    path("targets/<int:year>/<int:number>/", board_views.deadline_edit_view, name="deadline_edit"),
]
