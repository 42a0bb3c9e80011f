from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from taskforce.urls import handler500  # noqa: F401  (the site's own)
from taskforce.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret detail")


urlpatterns = [
    path("boom/", boom),
    *site_urlpatterns,
    *i18n_patterns(path("broken/", boom, name="broken")),
]
