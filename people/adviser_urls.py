"""The RCGP adviser pool (``people:`` names, under /people/advisers/): RCGP admin only."""

from django.urls import path

from . import adviser_views as views

urlpatterns = [
    path("advisers/", views.pool_view, name="advisers"),
    path("advisers/add/<int:user_pk>/", views.add_view, name="adviser_add"),
    path("advisers/<int:pk>/", views.adviser_view, name="adviser"),
    path("advisers/<int:pk>/conflicts/new/", views.conflict_new_view, name="adviser_conflict_new"),
    path("advisers/<int:pk>/conflicts/<int:conflict_pk>/end/", views.conflict_end_view,
         name="adviser_conflict_end"),
]
