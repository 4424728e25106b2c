"""URLs of contract lists, commissioning and adviser teams, in the "contracts" namespace (resilience/urls.py adds
the contract page and its moves, casework.urls.contract_patterns, after these)."""

from django.urls import path

from . import enquiry_views, views

urlpatterns = [
    path("", views.contract_list_view, name="list"),
    # Enquiries: the special-measures offers and the initial conversations (before "<reference>/..." so that no
    # contract reference shadows them). The names "offers" and "offer" are kept from when offers were all.
    path("offers/", enquiry_views.enquiry_list_view, name="offers"),
    path("offers/new/", enquiry_views.enquiry_new_view, name="enquiry_new"),
    path("offers/<int:pk>/", enquiry_views.enquiry_view, name="offer"),
    path("board/", views.contract_board_view, name="board"),
    path("new/", views.contract_commission_view, name="commission"),
    path("<str:reference>/first-contact/", views.contract_first_contact_view, name="first_contact"),
    path("<str:reference>/outcome/", views.contract_outcome_view, name="outcome"),
    path("<str:reference>/team/", views.contract_team_view, name="team"),
]
