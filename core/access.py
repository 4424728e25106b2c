"""Access to the core's own records: API tokens."""

from .models import ApiToken
from .relations import active, has_role
from .roles import Role


def api_tokens_for(user):
    """API tokens the user may list and revoke: their own; RCGP admin, everyone's."""
    if not active(user):
        return ApiToken.objects.none()
    if has_role(user, Role.RCGP_ADMIN):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)
