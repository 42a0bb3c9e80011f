"""English dates as the site has always written them: British style ("14 October 2020")."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

# An event's day and clock time: "Wednesday 14 October 2020", "14:00".
EVENT_DAY_FORMAT = "l j F Y"
EVENT_TIME_FORMAT = "H:i"
