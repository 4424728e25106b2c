from django.urls import path

from . import views

app_name = "practices"
urlpatterns = [
    path("", views.practice_list_view, name="list"),
    path("<str:ods_code>/", views.practice_detail_view, name="detail"),
    path("<str:ods_code>/special-measures/new/", views.episode_correct_view, name="episode_new"),
    path("<str:ods_code>/special-measures/<int:pk>/correct/", views.episode_correct_view, name="episode_correct"),
]
