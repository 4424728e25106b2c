"""Events, training and peer support."""

app_name = "events"
urlpatterns = []
