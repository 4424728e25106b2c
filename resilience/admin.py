from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role", "commissioner", "practice", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["commissioner", "practice"]
    autocomplete_fields = ["commissioner", "practice"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Role and organisation", {"fields": ["role", "commissioner", "practice"]}),
    ]
