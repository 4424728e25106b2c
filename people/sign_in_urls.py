"""The sign-in policy of each organisation (``people:sign_in``), beside the organisation's people pages and named
the same way (people/admin_urls.py's ``people_org``): /people/rcgp/sign-in/, /people/nhse/sign-in/,
/people/commissioner/<ODS code>/sign-in/, /people/practice/<ODS code>/sign-in/."""

from django.urls import path

from . import sign_in
from .admin_urls import OrganisationConverter  # noqa: F401  (registers the people_org converter)

urlpatterns = [
    path("<people_org:org>/sign-in/", sign_in.policy_view, name="sign_in"),
]
