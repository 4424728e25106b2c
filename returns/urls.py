"""NHS England's returns: the targets board and allocations (board_urls), and the regions' data returns
(return_urls)."""

from .board_urls import urlpatterns as board_patterns
from .return_urls import urlpatterns as return_patterns

app_name = "returns"
urlpatterns = [*board_patterns, *return_patterns]
