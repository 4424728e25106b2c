"""URLs for reports (filled in by the contracts issue)."""

app_name = "reports"
urlpatterns = []
