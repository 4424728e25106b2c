"""The sign-in policy of each organisation (``people:sign_in_*``), beside the organisation's people pages:
/people/rcgp/sign-in/, /people/nhse/sign-in/, /people/commissioner/<ods>/sign-in/, /people/practice/<ods>/sign-in/."""

from django.urls import path

from . import sign_in

urlpatterns = [
    path("rcgp/sign-in/", sign_in.rcgp_view, name="sign_in_rcgp"),
    path("nhse/sign-in/", sign_in.nhse_view, name="sign_in_nhse"),
    path("commissioner/<str:ods_code>/sign-in/", sign_in.commissioner_view, name="sign_in_commissioner"),
    path("practice/<str:ods_code>/sign-in/", sign_in.practice_view, name="sign_in_practice"),
]
