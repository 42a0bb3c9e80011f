"""English dates as the site has always written them: British style ("14 October 2020")."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

# A day, as articles and lists show it: "1 October 2025".
DAY_FORMAT = "j F Y"
# A moment with its zone, as notices show it: "1 October 2025, 14:00 CEST".
MOMENT_FORMAT = "j F Y, H:i T"
# An event's day and clock time: "Wednesday 14 October 2020", "14:00".
EVENT_DAY_FORMAT = "l j F Y"
EVENT_TIME_FORMAT = "H:i"
# How the day of the month (j) reads on the first: "1".
FIRST_OF_MONTH_FORMAT = "j"
