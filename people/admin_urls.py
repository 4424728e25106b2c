"""An organisation's people, its invitations and its change log (``people:`` names), and the invitation link.

An organisation is named in the URL by its slug: ``rcgp``, ``nhse``, ``commissioner/<ODS code>`` or
``practice/<ODS code>`` (people/selectors.py ``get_organisation_or_404``)."""

from django.urls import path, register_converter

from . import views


class OrganisationConverter:
    regex = r"(?:rcgp|nhse|commissioner/[A-Za-z0-9]{1,10}|practice/[A-Za-z0-9]{1,10})"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(OrganisationConverter, "people_org")

urlpatterns = [
    path("", views.home_view, name="home"),
    path("invitations/accept/<str:token>/", views.accept_view, name="invitation_accept"),
    path("<people_org:org>/", views.organisation_view, name="organisation"),
    path("<people_org:org>/invite/", views.invite_view, name="invite"),
    path("<people_org:org>/changes/", views.changes_view, name="changes"),
    path("<people_org:org>/invitations/<int:pk>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("<people_org:org>/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("<people_org:org>/people/<int:pk>/", views.person_view, name="person"),
    path("<people_org:org>/people/<int:pk>/role/", views.person_role_view, name="person_role"),
    path("<people_org:org>/people/<int:pk>/end/", views.person_end_view, name="person_end"),
    path("<people_org:org>/people/<int:pk>/deactivate/", views.person_deactivate_view, name="person_deactivate"),
    path("<people_org:org>/people/<int:pk>/reactivate/", views.person_reactivate_view, name="person_reactivate"),
]
