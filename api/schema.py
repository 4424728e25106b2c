"""OpenAPI: every operation documents the common error responses (one error body), exports are
documented as files, and the token scheme is declared."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from api.renderers import CSVRenderer, XLSXRenderer

FILE_MEDIA_TYPES = {CSVRenderer.media_type, XLSXRenderer.media_type}


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="not_authenticated, authentication_failed, permission_denied, not_found, "
                                           "invalid, rejected, precondition_required, precondition_failed, throttled, "
                                           "...")
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField(),
                                   help_text="Per-field messages for invalid requests; {} otherwise.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERRORS = {
    "400": "Invalid request (parameters or body).",
    "401": "No token, or an invalid, expired or revoked one.",
    "403": "Your role may not do this.",
    "404": "Not found, or not visible to you.",
    "429": "Too many requests for this token: wait (see Retry-After).",
}
WRITE_ERRORS = {
    "412": "If-Match does not name the current version: nothing was saved.",
    "422": "Refused by a rule of the service (the detail says which), or nothing would change: nothing was saved.",
    "428": "If-Match is missing.",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS, **(WRITE_ERRORS if self.method in ("PATCH", "PUT", "POST", "DELETE") else {}))
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, ["application/json"], direction)
                response["description"] = description
                responses[code] = response
        return responses

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        for media_type, body in response.get("content", {}).items():
            if media_type in FILE_MEDIA_TYPES:
                body["schema"] = {"type": "string", "format": "binary"}
        return response


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <token>` (python manage.py create_api_token USERNAME)."}

