"""Levels of support: practices per level, and one practice's level with its history."""

from django.urls import path

from . import views

app_name = "levels"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("practices/<str:ods_code>/", views.practice_view, name="practice"),
]
