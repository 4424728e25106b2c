"""Levels of support."""

app_name = "levels"
urlpatterns = []
