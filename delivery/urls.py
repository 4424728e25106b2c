"""The delivery record's pages, under /delivery/ (resilience/urls.py)."""

from django.urls import path

from . import views

app_name = "delivery"

urlpatterns = [
    path("records/<int:pk>/", views.record_view, name="record"),
    path("records/<int:pk>/edit/", views.record_edit_view, name="record_edit"),
    path("<str:reference>/", views.contract_view, name="contract"),
    path("<str:reference>/meetings/new/", views.meeting_new_view, name="meeting_new"),
    path("<str:reference>/interviews/new/", views.interview_new_view, name="interview_new"),
    path("<str:reference>/review-meetings/new/", views.review_new_view, name="review_new"),
]
