"""Agreements: the memorandum of understanding between practice, commissioner and RCGP, under /agreements/."""
from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("<str:reference>/", views.detail_view, name="detail"),
    path("<str:reference>/draft/", views.draft_view, name="draft"),
    path("<str:reference>/terms/", views.terms_view, name="terms"),
    path("<str:reference>/leads/", views.leads_view, name="leads"),
    path("<str:reference>/objectives/new/", views.objective_new_view, name="objective_new"),
    path("<str:reference>/objectives/<int:pk>/", views.objective_edit_view, name="objective_edit"),
    path("<str:reference>/objectives/<int:pk>/remove/", views.objective_remove_view, name="objective_remove"),
    path("<str:reference>/contributions/new/", views.contribution_new_view, name="contribution_new"),
    path("<str:reference>/contributions/<int:pk>/", views.contribution_edit_view, name="contribution_edit"),
    path("<str:reference>/contributions/<int:pk>/remove/", views.contribution_remove_view,
         name="contribution_remove"),
    path("<str:reference>/sign/<str:party>/", views.sign_view, name="sign"),
    path("<str:reference>/agreement.docx", views.word_view, name="word"),
]
