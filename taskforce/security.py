import ipaddress
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


def client_ip(request):
    """
    The visitor's address, as the rate limit and the admin sign-in lock-out count it.

    CLIENT_IP_META_KEY (env RATELIMIT_IP_META_KEY) names where it is: REMOTE_ADDR
    when clients connect directly; behind a proxy, the header the proxy sets, e.g.
    HTTP_X_REAL_IP. In a list (X-Forwarded-For) the last address is the one the
    proxy itself saw; earlier ones are whatever the client claimed. A missing or
    unparsable value falls back to REMOTE_ADDR.
    """
    value = request.META.get(settings.CLIENT_IP_META_KEY, "")
    candidate = value.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def admin_sign_in_username(request, credentials=None):
    """The user name django-axes records, cut to the 255 characters its table holds."""
    data = credentials if credentials else getattr(request, "data", request.POST)
    username = data.get(settings.AXES_USERNAME_FORM_FIELD) if data else None
    return username[:255] if isinstance(username, str) else username


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the site's own page, not Django's."""
    return render(request, "403_csrf.html", status=403)
