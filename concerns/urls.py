"""Concerns under the duty to report: a contract's (``contracts/<reference>/concerns/``) and each one's
(``concerns/``), in the "concerns" namespace (resilience/urls.py)."""

from django.urls import path

from . import views

app_name = "concerns"
urlpatterns = [
    path("contracts/<str:reference>/concerns/", views.contract_concerns_view, name="for_contract"),
    path("contracts/<str:reference>/concerns/new/", views.concern_new_view, name="new"),
    path("concerns/", views.concern_list_view, name="list"),
    path("concerns/<int:pk>/", views.concern_detail_view, name="detail"),
    path("concerns/<int:pk>/acknowledge/", views.concern_acknowledge_view, name="acknowledge"),
    path("concerns/<int:pk>/actions/", views.concern_action_view, name="action"),
]
