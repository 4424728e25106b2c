from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render


@login_required
def home(request):
    # Role dashboards come with issue #7; until then everyone starts at their practices.
    return redirect("practices:list")


def health(request):
    """Liveness for load balancers and docker compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception):
    return render(request, "errors/404.jinja", status=404)


def server_error(request):
    return render(request, "errors/500.jinja", status=500)


def permission_denied(request, exception):
    return render(request, "errors/403.jinja", status=403)
