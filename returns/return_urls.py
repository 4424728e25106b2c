"""The regions' data returns and the national roll-up (returns/return_views.py)."""

from django.urls import path

from . import return_views

urlpatterns = [
    path("<int:year>/", return_views.returns_year_view, name="returns_year"),
    # England before a region: "england" is no region's code.
    path("<int:year>/<int:number>/england/", return_views.rollup_view, name="rollup"),
    path("<int:year>/<int:number>/england/download.<str:fmt>", return_views.rollup_download_view,
         name="rollup_download"),
    path("<int:year>/<int:number>/<str:region>/", return_views.region_return_view, name="region_return"),
    path("data-returns/<int:pk>/", return_views.data_return_view, name="data_return"),
    path("data-returns/<int:pk>/download.<str:fmt>", return_views.data_return_download_view,
         name="data_return_download"),
]
