"""The REST API: a second door onto the same services and the same access policy.

Every view starts from the access modules (``<app>/access.py``) for ``request.user``; nothing here restates who may
see what. Served under ``/api/v1/``; the OpenAPI schema is at ``/api/v1/schema/`` and the docs at
``/api/docs/``.
"""
