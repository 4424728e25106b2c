"""Signing in with a username and password: Django's ModelBackend, except that the signed-in user is loaded
with their organisation, which every page's header names, in the same query."""

from django.contrib.auth.backends import ModelBackend, UserModel


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("commissioner", "practice").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
