from django.conf import settings
from django.utils.translation import gettext, gettext_noop

gettext_noop("Joint Task Force on smart cities")  # SITE_NAME, for the French catalogue


def site_name():
    """SITE_NAME in the active language."""
    return gettext(settings.SITE_NAME)


def site(request):
    return {"SITE_NAME": site_name()}
