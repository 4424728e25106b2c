"""URLs of notifications, document PDFs and the calendar feed (included from resilience/urls.py)."""

from django.urls import path

from . import job_views as views

app_name = "jobs"
urlpatterns = [
    path("notifications/", views.notifications_view, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all_view, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read_view, name="notification_read"),
    path("contracts/<str:reference>/pdf/<str:document>/", views.pdf_view, name="pdf"),
    path("contracts/<str:reference>/pdf/<str:document>/panel/", views.pdf_panel_view, name="pdf_panel"),
    path("pdfs/<int:pk>/download/", views.pdf_download_view, name="pdf_download"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"),
]
