"""URLs of reports and plans, in the "forwardplans" namespace (resilience/urls.py adds the report and consent pages
of the case lifecycle to it, casework.urls.document_patterns)."""

from django.urls import path

from . import views

urlpatterns = [
    path("contracts/<str:reference>/report/sections/<str:part>/", views.report_section_view, name="report_section"),
    path("contracts/<str:reference>/report/sections/<str:part>/draft/", views.section_draft_view,
         name="section_draft"),
    path("contracts/<str:reference>/report/corrections/new/", views.correction_new_view, name="correction_new"),
    path("contracts/<str:reference>/report/corrections/<int:pk>/remove/", views.correction_remove_view,
         name="correction_remove"),
    path("contracts/<str:reference>/report/versions/<int:number>/", views.report_version_view,
         name="report_version"),
    path("contracts/<str:reference>/report.docx", views.report_word_view, name="report_word"),
    path("contracts/<str:reference>/plan/", views.plan_view, name="plan"),
    path("contracts/<str:reference>/plan.docx", views.plan_word_view, name="plan_word"),
    path("contracts/<str:reference>/plan/inspection/", views.plan_inspection_view, name="plan_inspection"),
    path("contracts/<str:reference>/plan/versions/", views.plan_version_view, name="plan_version"),
    path("contracts/<str:reference>/plan/cqc-action-plan/", views.cqc_action_plan_view, name="cqc_action_plan"),
    path("contracts/<str:reference>/cqc-action-plan.docx", views.cqc_action_plan_word_view,
         name="cqc_action_plan_word"),
    path("contracts/<str:reference>/plan/actions/new/", views.action_new_view, name="action_new"),
    path("contracts/<str:reference>/access-log/", views.access_log_view, name="access_log"),
    path("actions/<int:pk>/", views.action_view, name="action"),
    path("actions/<int:pk>/edit/", views.action_edit_view, name="action_edit"),
    path("actions/<int:pk>/rag/", views.action_rag_view, name="action_rag"),
    path("actions/<int:pk>/progress/", views.action_progress_view, name="action_progress"),
    path("actions/<int:pk>/milestones/", views.milestone_add_view, name="milestone_add"),
    path("actions/<int:pk>/milestones/<int:milestone_pk>/", views.milestone_toggle_view, name="milestone_toggle"),
    path("actions/<int:pk>/evidence/", views.evidence_upload_view, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download_view, name="evidence_download"),
]
