"""Events, training and peer support."""
from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list_view, name="list"),
    path("new/", views.event_new_view, name="new"),
    path("peer-support/", views.peer_support_view, name="peer_support"),
    path("peer-support/<int:pk>/end/", views.peer_support_end_view, name="peer_support_end"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel_view, name="registration_cancel"),
    path("<int:pk>/", views.event_view, name="detail"),
    path("<int:pk>/edit/", views.event_edit_view, name="edit"),
    path("<int:pk>/attendance/", views.attendance_view, name="attendance"),
]
