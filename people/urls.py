"""The people pages (``people:`` names), one module of routes per part: an organisation's people and invitations,
the adviser pool, and the sign-in policy."""

from .admin_urls import urlpatterns as admin_patterns
from .adviser_urls import urlpatterns as adviser_patterns
from .sign_in_urls import urlpatterns as sign_in_patterns

app_name = "people"
urlpatterns = [*admin_patterns, *adviser_patterns, *sign_in_patterns]
