from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .security import two_factor_view

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("search/", views.search_view, name="search"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.jinja",
                                                       redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_view, name="two_factor"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.jinja"),
         name="password_change"),
    path("accounts/password/done/",
         auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.jinja"),
         name="password_change_done"),
    path("practices/", include("practices.urls")),
    path("contracts/", include("contracts.urls")),
    path("", include("forwardplans.urls")),
    path("questionnaires/", include("forwardplans.questionnaire_urls")),
    path("referrals/", include("contracts.referral_urls")),
    path("reports/", include("contracts.report_urls")),
    path("", include("forwardplans.job_urls")),
    path("api/", include("resilience.api.urls")),  # the REST API, its schema and docs (issue 5)
    path("admin/", admin.site.urls),
]

handler403 = "resilience.views.permission_denied"
handler404 = "resilience.views.page_not_found"
handler500 = "resilience.views.server_error"
