"""The case lifecycle's pages. They keep the names people and templates know them by: resilience/urls.py puts
``contract_patterns`` in the "contracts" namespace and ``document_patterns`` in the "forwardplans" one."""

from django.urls import path

from . import views

contract_patterns = [
    path("<str:reference>/", views.contract_detail_view, name="detail"),
    path("<str:reference>/move/<str:move>/", views.move_view, name="move"),
]
document_patterns = [
    path("contracts/<str:reference>/report/", views.report_view, name="report"),
    path("contracts/<str:reference>/consent/", views.consent_view, name="consent"),
    path("contracts/<str:reference>/report/corrections/<int:pk>/answer/", views.correction_answer_view,
         name="correction_answer"),
]
