"""URLs for contracts, adviser teams and the workflow."""

from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list_view, name="list"),
    path("board/", views.contract_board_view, name="board"),
    path("new/", views.contract_commission_view, name="commission"),
    path("<str:reference>/", views.contract_detail_view, name="detail"),
    path("<str:reference>/transition/", views.contract_transition_view, name="transition"),
    path("<str:reference>/take-lead/", views.contract_take_lead_view, name="take_lead"),
    path("<str:reference>/appoint-lead/", views.contract_appoint_lead_view, name="appoint_lead"),
    path("<str:reference>/first-contact/", views.contract_first_contact_view, name="first_contact"),
    path("<str:reference>/outcome/", views.contract_outcome_view, name="outcome"),
    path("<str:reference>/team/", views.contract_team_view, name="team"),
]
