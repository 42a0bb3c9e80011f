from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

gettext_noop("Joint Task Force on smart cities")  # SITE_NAME, for the French catalogue


def site_name():
    """SITE_NAME in the active language."""
    return gettext(settings.SITE_NAME)


def site_sender():
    """
    DEFAULT_FROM_EMAIL, named in the active language when its name is the site's: a
    French registrant's email comes from the Groupe d'action conjoint. A sender named
    otherwise by the operator keeps that name.
    """
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name and name != settings.SITE_NAME:
        return settings.DEFAULT_FROM_EMAIL
    return str(Address(display_name=site_name(), addr_spec=address))


def site(request):
    return {"SITE_NAME": site_name()}
