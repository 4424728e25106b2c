"""URLs for resilience-programme self-referrals, mounted at /referrals/."""

from django.urls import path

from . import referral_views as views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list_view, name="list"),
    path("new/", views.referral_new_view, name="new"),
    path("<int:pk>/", views.referral_detail_view, name="detail"),
    path("<int:pk>/assess/", views.referral_assess_view, name="assess"),
    path("<int:pk>/acknowledge/", views.referral_acknowledge_view, name="acknowledge"),
    path("<int:pk>/decline/", views.referral_decline_view, name="decline"),
    path("<int:pk>/regional-decision/", views.referral_regional_decision_view, name="regional_decision"),
]
