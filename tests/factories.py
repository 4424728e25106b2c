"""Every app's factories in one place, for the tests that cross apps (each app's live in tests/<app>/factories.py)."""

from .contracts.factories import AdviserFactory, ContractFactory, ReferralFactory
from .core.factories import PASSWORD, UserFactory, user_for
from .practices.factories import CommissionerFactory, InspectionFactory, PracticeFactory

__all__ = ["PASSWORD", "AdviserFactory", "CommissionerFactory", "ContractFactory", "InspectionFactory",
           "PracticeFactory", "ReferralFactory", "UserFactory", "user_for"]
