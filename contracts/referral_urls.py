"""URLs for referrals (filled in by the contracts issue)."""

app_name = "referrals"
urlpatterns = []
