from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

SAME_SITE_FETCHES = {"same-origin", "none"}


def require_same_origin(view):
    """
    Refuse POSTs that a browser sent from another site, by the Sec-Fetch-Site and
    Origin headers every current browser sends, instead of a CSRF token.

    For anonymous forms that protect no session: the page carrying the form then
    holds nothing specific to one visitor and can be served from the shared cache.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method == "POST" and is_cross_site(request):
            return render(request, "403_cross_site.html", status=403)
        return view(request, *args, **kwargs)

    return csrf_exempt(guarded)


def is_cross_site(request):
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in SAME_SITE_FETCHES
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # not sent by a browser from another page
    own_origin = f"{request.scheme}://{request.get_host()}"
    return origin != own_origin and origin not in settings.CSRF_TRUSTED_ORIGINS
