"""Time and money of a contract, under /finance/ (resilience/urls.py)."""

from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    # Before "<reference>/" so that no contract reference shadows it.
    path("advisers/", views.adviser_load_view, name="advisers"),
    path("plan-lines/<int:pk>/edit/", views.plan_line_edit_view, name="plan_line_edit"),
    path("payments/<int:pk>/paid/", views.paid_view, name="paid"),
    path("<str:reference>/", views.contract_view, name="contract"),
    path("<str:reference>/plan/add/", views.plan_line_add_view, name="plan_line_add"),
    path("<str:reference>/extra-days/", views.extra_days_view, name="extra_days"),
    path("<str:reference>/time/", views.time_log_view, name="time_log"),
    path("<str:reference>/other-costs/", views.other_cost_view, name="other_cost"),
    path("<str:reference>/invoices/", views.invoice_view, name="invoice"),
    path("<str:reference>/refunds/", views.refund_view, name="refund"),
    path("<str:reference>/variations/", views.variation_view, name="variation"),
]
