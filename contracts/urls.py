"""URLs for contracts, adviser teams and the workflow."""

app_name = "contracts"
urlpatterns = []
