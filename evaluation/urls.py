"""Evaluation: feedback at closure, the advisers' reflections and case studies."""
from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.counts_view, name="counts"),
    path("case-studies/<int:pk>/", views.case_study_view, name="case_study"),
    path("case-studies/<int:pk>/edit/", views.case_study_edit_view, name="case_study_edit"),
    path("case-studies/<int:pk>/naming/", views.case_study_naming_view, name="case_study_naming"),
    path("<str:reference>/feedback/", views.feedback_view, name="feedback"),
    path("<str:reference>/reflections/", views.reflections_view, name="reflections"),
    path("<str:reference>/reflection/", views.reflection_view, name="reflection"),
    path("<str:reference>/case-studies/new/", views.case_study_new_view, name="case_study_new"),
]
