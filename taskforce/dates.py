"""
Dates and times as each language writes them. Every day the site shows goes through
format_date (templates: the `written_date` filter of site_tags), so that the rules of a
language's formats module (taskforce/formats/<lang>/formats.py) hold everywhere: French
writes the first day of a month "1er" ("mercredi 1er octobre 2025").
"""

import re

from django.utils import dateformat, formats

# A format's characters: an escaped one (\h) stands for itself; "j" is the day of the month.
FORMAT_CHARACTER = re.compile(r"\\.|j")


def format_date(value, format_name="DAY_FORMAT"):
    """`value` (a date or datetime) in the active language, with one of the named formats."""
    if value in (None, ""):
        return ""
    written = formats.get_format(format_name)
    if value.day == 1:
        first = formats.get_format("FIRST_OF_MONTH_FORMAT")
        written = FORMAT_CHARACTER.sub(
            lambda match: first if match.group() == "j" else match.group(), written
        )
    return dateformat.format(value, written)


def format_time(value, format_name="EVENT_TIME_FORMAT"):
    """A clock time in the active language: "14:00", "14 h 00" (no-break spaces)."""
    return formats.time_format(value, format_name)
