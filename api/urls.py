"""/api/v1/... (the API), /api/v1/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI), the last two for signed-in users
unless API_DOCS_PUBLIC (api/docs.py). The docs' assets come from
drf-spectacular-sidecar (served locally, never from a CDN), and the split view serves Swagger UI's start-up
script as a file, so the page runs under a Content Security Policy without inline scripts."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import views
from api.agreements import AgreementViewSet
from api.alerts import AlertViewSet
from api.contractual import ContractualActionViewSet
from api.data_returns import DataReturnViewSet, RollupView
from api.delivery import DeliveryRecordViewSet
from api.docs import DocsView, SchemaView
from api.enquiries import EnquiryViewSet
from api.evaluation import CaseStudyViewSet
from api.events import AttendanceViewSet, EventViewSet, PeerSupportViewSet
from api.finance import ROUTES as FINANCE_ROUTES
from api.levels import LevelChangeViewSet, PracticeLevelViewSet
from api.monitoring import MonitoringRecordViewSet
from api.offers import OfferViewSet
from api.returns_figures import URLS as RETURNS_FIGURE_URLS

app_name = "api"

router = SimpleRouter()
router.register("practices", views.PracticeViewSet, basename="practice")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("actions", views.ActionViewSet, basename="action")
router.register("offers", OfferViewSet, basename="offer")  # the special-measures offers (api/offers.py)
router.register("enquiries", EnquiryViewSet, basename="enquiry")  # every source of enquiry (api/enquiries.py)
router.register("alerts", AlertViewSet, basename="alert")  # practices' alerts (api/alerts.py)
router.register("monitoring-records", MonitoringRecordViewSet, basename="monitoring-record")  # api/monitoring.py
router.register("contractual-actions", ContractualActionViewSet, basename="contractual-action")  # api/contractual.py
router.register("delivery-records", DeliveryRecordViewSet, basename="delivery-record")  # api/delivery.py
router.register("agreements", AgreementViewSet, basename="agreement")  # api/agreements.py
router.register("case-studies", CaseStudyViewSet, basename="case-study")  # api/evaluation.py
router.register("events", EventViewSet, basename="event")  # api/events.py
router.register("event-attendance", AttendanceViewSet, basename="event-attendance")  # api/events.py
router.register("peer-support", PeerSupportViewSet, basename="peer-support")  # api/events.py
router.register("levels", PracticeLevelViewSet, basename="level")  # api/levels.py
router.register("level-changes", LevelChangeViewSet, basename="level-change")  # api/levels.py
router.register("returns/data-returns", DataReturnViewSet, basename="data-return")  # api/data_returns.py
for prefix, viewset, basename in FINANCE_ROUTES:  # payments, delivery costs, adviser load (api/finance.py)
    router.register(prefix, viewset, basename=basename)

v1 = [
    path("forward-plans/summary/", views.PlanSummaryView.as_view(), name="plan-summary"),
    path("reports/programme-outcomes/", views.ProgrammeOutcomesView.as_view(), name="programme-outcomes"),
    path("reports/funding/", views.FundingView.as_view(), name="funding"),
    path("reports/rag/", views.RagReportView.as_view(), name="rag"),
    path("returns/rollup/", RollupView.as_view(), name="returns-rollup"),  # api/data_returns.py
    *RETURNS_FIGURE_URLS,  # figures, targets and allocations of NHS England (api/returns_figures.py)
    path("schema/", SchemaView.as_view(), name="schema"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
]
