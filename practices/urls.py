from django.urls import path

from . import regulation_views, views

app_name = "practices"
urlpatterns = [
    path("", views.practice_list_view, name="list"),
    path("<str:ods_code>/", views.practice_detail_view, name="detail"),
    path("<str:ods_code>/special-measures/new/", views.episode_correct_view, name="episode_new"),
    path("<str:ods_code>/special-measures/<int:pk>/correct/", views.episode_correct_view, name="episode_correct"),
    # What CQC found and did, entered from its reports; what the practice told its patients.
    path("<str:ods_code>/inspections/<int:pk>/breaches/", regulation_views.inspection_breaches_view,
         name="inspection_breaches"),
    path("<str:ods_code>/inspections/<int:pk>/enforcement/new/", regulation_views.enforcement_new_view,
         name="enforcement_new"),
    path("<str:ods_code>/enforcement/<int:pk>/", regulation_views.enforcement_edit_view, name="enforcement_edit"),
    path("<str:ods_code>/enforcement/<int:pk>/remove/", regulation_views.enforcement_remove_view,
         name="enforcement_remove"),
    path("<str:ods_code>/patient-information/new/", regulation_views.patient_information_new_view,
         name="patient_information_new"),
    path("<str:ods_code>/patient-information/<int:pk>/", regulation_views.patient_information_edit_view,
         name="patient_information_edit"),
]
