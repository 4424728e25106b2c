from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework import urls as case_urls
from contracts import urls as contract_urls
from core import sessions, token_views
from core.security import two_factor_view
from dashboards import views
from forwardplans import urls as document_urls
from people.sign_in import SignInView

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("search/", views.search_view, name="search"),
    path("accounts/login/", SignInView.as_view(), name="login"),  # password (unless turned off) or NHS account
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_view, name="two_factor"),
    path("accounts/session/", sessions.session_extend_view, name="session_extend"),
    path("accounts/session-ended/", sessions.session_ended_view, name="session_ended"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.jinja"),
         name="password_change"),
    path("accounts/password/done/",
         auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.jinja"),
         name="password_change_done"),
    path("accounts/api-tokens/", token_views.own_tokens_view, name="api_tokens"),
    path("accounts/api-tokens/all/", token_views.all_tokens_view, name="api_tokens_all"),
    path("accounts/api-tokens/revoke/", token_views.revoke_token_view, name="api_token_revoke"),
    path("practices/", include("practices.urls")),
    # Concerns under the duty to report: a contract's (contracts/<reference>/concerns/) and each one's (concerns/).
    path("", include("concerns.urls")),
    # A contract's page and the report and consent pages belong to the case lifecycle (casework), which sits above
    # contracts and forwardplans; they keep their places and names in those namespaces.
    path("contracts/", include(([*contract_urls.urlpatterns, *case_urls.contract_patterns], "contracts"))),
    path("", include(([*document_urls.urlpatterns, *case_urls.document_patterns], "forwardplans"))),
    path("questionnaires/", include("forwardplans.questionnaire_urls")),
    path("referrals/", include("contracts.referral_urls")),
    path("reports/rag-by-commissioner/", views.rag_by_commissioner_download, name="rag_by_commissioner"),
    path("reports/", include("contracts.report_urls")),
    path("", include("forwardplans.job_urls")),
    path("syncs/", include("surveillance.urls")),  # CQC and ODS sync reports (RCGP admin)
    path("risk-register/", include("dashboards.urls")),  # the risk register and its download (dashboards)
    path("monitoring/", include("monitoring.urls")),  # the commissioner's monitoring record
    path("contractual/", include("contractual.urls")),  # contractual action on a practice's GMS/PMS/APMS contract
    path("agreements/", include("agreements.urls")),  # a contract's agreement (MoU) in full, and its Word copy
    path("delivery/", include("delivery.urls")),  # visits, meetings, interviews and review meetings; support given
    path("finance/", include("finance.urls")),  # costed plan, time, other costs, payments, variations, adviser load
    path("evaluation/", include("evaluation.urls")),  # feedback at closure, reflections, case studies
    path("returns/", include("returns.urls")),  # NHS England's allocations, targets and the regions' data returns
    path("levels/", include("levels.urls")),  # each practice's level of support and its history
    path("events/", include("events.urls")),  # events, training, places and bursaries; practice-to-practice support
    path("people/", include("people.urls")),  # organisations' own people: invitations, memberships, adviser pool
    path("accounts/", include("people.account_urls")),  # forgotten password, recovery codes, switching
    path("accounts/sso/", include("people.sso_urls")),  # signing in with an NHS identity (OpenID Connect)
    path("", include("operations.urls")),  # readiness (health/ready/) and metrics (metrics/) for operators
    path("api/", include("api.urls")),  # the REST API, its schema and docs
    path("admin/", admin.site.urls),
]

handler400 = "core.hostile_input.bad_request"
handler403 = "dashboards.views.permission_denied"
handler404 = "dashboards.views.page_not_found"
handler500 = "dashboards.views.server_error"
