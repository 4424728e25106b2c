"""URLs of the confidential staff questionnaire (mounted at questionnaires/)."""

from django.urls import path

from . import questionnaire_views as views

app_name = "questionnaires"
urlpatterns = [
    # Public pages first, so "answer" is never read as a contract reference.
    path("answer/", views.questionnaire_code_view, name="code"),
    path("answer/<str:token>/", views.questionnaire_answer_view, name="answer"),
    path("answer/<str:token>/thanks/", views.questionnaire_thanks_view, name="thanks"),
    path("<str:reference>/open/", views.questionnaire_open_view, name="open"),
    path("<str:reference>/<int:pk>/close/", views.questionnaire_close_view, name="close"),
    path("<str:reference>/<int:pk>/invitations/", views.questionnaire_invitations_view, name="invitations"),
    path("<str:reference>/<int:pk>/invitations/codes/", views.questionnaire_codes_view, name="codes"),
    path("<str:reference>/<int:pk>/", views.questionnaire_results_view, name="results"),
]
