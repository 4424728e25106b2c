"""The dashboards' own pages beyond the home page: the risk register and its download (resilience/urls.py includes
them under risk-register/)."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.risk_register_view, name="risk_register"),
    path("download/", views.risk_register_download, name="risk_register_download"),
]
