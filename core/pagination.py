"""Django paginator pages as parameters for the NHS.UK pagination component."""

from django.core.paginator import Paginator


def paginate(request, queryset, per_page=25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def pagination_params(page, request):
    """Parameters for nhsuk ``pagination()``: numbered items with ellipses, previous/next links."""
    def href(number):
        params = request.GET.copy()
        params["page"] = number
        return "?" + params.urlencode()

    paginator = page.paginator
    items = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == Paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "href": href(number), "current": number == page.number})
    params = {"items": items if paginator.num_pages > 1 else []}
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return params
