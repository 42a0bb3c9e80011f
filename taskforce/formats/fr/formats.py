"""French dates as French typography writes them: "mercredi 14 octobre 2020, 14 h 00"."""

from django.conf.locale.fr.formats import *  # noqa: F403

EVENT_DAY_FORMAT = "l j F Y"
EVENT_TIME_FORMAT = r"G \h i"
