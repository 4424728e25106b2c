"""The account pages (``account:`` names, under /accounts/): forgotten password, two-factor recovery codes and
switching between a person's memberships."""

from django.urls import path

from . import account_views as views

app_name = "account"
urlpatterns = [
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path("password/reset/sent/", views.password_reset_sent_view, name="password_reset_sent"),
    path("password/reset/done/", views.password_reset_complete_view, name="password_reset_complete"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("two-factor/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("memberships/", views.memberships_view, name="memberships"),
]
