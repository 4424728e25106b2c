from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Users, roles, API tokens and the cross-cutting parts every app may use; it imports no domain app.

    The label is the project's original app label, so the user model stays ``resilience.User`` and the tables,
    content types and migration history are unchanged."""

    name = "core"
    label = "resilience"
    verbose_name = "Users and roles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.sessions import session_record

        user_logged_in.connect(session_record, dispatch_uid="core.session_record")
