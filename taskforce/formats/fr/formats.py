"""
French dates as French typography writes them: "mercredi 1er octobre 2025, 14 h 00".

The spaces inside a time are no-break spaces (U+00A0), so "14 h 00" never wraps.
"""

from django.conf.locale.fr.formats import *  # noqa: F403

NBSP = "\N{NO-BREAK SPACE}"

DAY_FORMAT = "j F Y"
MOMENT_FORMAT = f"j F Y, G{NBSP}\\h{NBSP}i T"
EVENT_DAY_FORMAT = "l j F Y"
EVENT_TIME_FORMAT = f"G{NBSP}\\h{NBSP}i"
# The first day of a month is an ordinal: "1er octobre".
FIRST_OF_MONTH_FORMAT = r"j\e\r"
