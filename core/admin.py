from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from core.api_tokens import revoke_tokens
from core.models import ApiToken, User
from core.services import acting_key, membership_sync


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role", "commissioner", "practice", "region", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["commissioner", "practice"]
    autocomplete_fields = ["commissioner", "practice"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Role and organisation", {"fields": ["role", "commissioner", "practice", "region"]}),
    ]

    def save_model(self, request, obj, form, change):
        before = acting_key(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        membership_sync(user=obj, replacing=before)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: made with `manage.py create_api_token`, listed and revoked here. Only a hash is stored."""

    list_display = ["prefix", "user", "name", "status", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix", "name"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="status")
    def status(self, token):
        return token.status_at(timezone.now())

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = revoke_tokens(queryset)
        self.message_user(request, f"Revoked {count} token(s).")
