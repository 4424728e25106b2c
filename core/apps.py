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

        from django.db.models.signals import post_delete, post_save

        from core.models import User

        # A saved or deleted user is loaded again by their sessions' next requests (core/auth.py).
        post_save.connect(_forget_user, sender=User, dispatch_uid="core.forget_saved_user")
        post_delete.connect(_forget_user, sender=User, dispatch_uid="core.forget_deleted_user")


def _forget_user(sender, instance, **kwargs):
    from core.session_cache import signed_in_users

    signed_in_users.forget([instance.pk])
