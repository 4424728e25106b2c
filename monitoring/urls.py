"""The commissioner's monitoring pages, under /monitoring/ (resilience/urls.py)."""

from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("practices/<str:ods_code>/", views.practice_view, name="practice"),
    path("practices/<str:ods_code>/records/new/", views.record_new_view, name="record_new"),
    path("practices/<str:ods_code>/readiness/new/", views.readiness_new_view, name="readiness_new"),
    path("records/<int:pk>/", views.record_view, name="record"),
    path("records/<int:pk>/edit/", views.record_edit_view, name="record_edit"),
    path("records/<int:pk>/follow-ups/new/", views.follow_up_add_view, name="follow_up_add"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done_view, name="follow_up_done"),
    path("readiness/<int:pk>/", views.readiness_view, name="readiness"),
    path("readiness/<int:pk>/edit/", views.readiness_edit_view, name="readiness_edit"),
    path("actions/<int:pk>/notes/", views.action_notes_view, name="action_notes"),
    path("actions/<int:pk>/notes/add/", views.action_note_add_view, name="action_note_add"),
]
