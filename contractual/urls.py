"""Contractual action (issue 20), in the "contractual" namespace (resilience/urls.py:
``path("contractual/", include("contractual.urls"))``)."""

from django.urls import path

from . import views

app_name = "contractual"
urlpatterns = [
    path("practices/<str:ods_code>/", views.practice_view, name="practice"),
    path("practices/<str:ods_code>/new/", views.case_open_view, name="open"),
    path("cases/<int:pk>/<str:step>/", views.case_step_view, name="step"),
    path("cases/<int:pk>/letter.<str:fmt>", views.decision_letter_view, name="decision_letter"),
    path("notices/<int:pk>/", views.notice_view, name="notice"),
    path("notices/<int:pk>/letter.<str:fmt>", views.notice_letter_view, name="notice_letter"),
    path("notices/<int:pk>/<str:step>/", views.notice_step_view, name="notice_step"),
]
