"""Times come back from the database as the instants saved, aware and in UTC."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Max
from psycopg import pq
from psycopg.postgres import types

from events.models import Event
from taskforce.postgres import UTCTimestamptzLoader
from tests.events_helpers import make_event

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_times_read_back_are_the_instants_saved_in_utc():
    # The night summer time starts in Paris, to the microsecond.
    start = datetime.datetime(2027, 3, 28, 3, 30, 15, 123456, tzinfo=PARIS)
    event = make_event(start=start, end=start + datetime.timedelta(hours=2))
    read = Event.objects.get(pk=event.pk)
    assert read.start == start
    assert read.start.tzinfo == datetime.UTC
    assert read.start.isoformat() == "2027-03-28T01:30:15.123456+00:00"
    assert Event.objects.aggregate(latest=Max("end"))["latest"] == start + datetime.timedelta(
        hours=2
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a psycopg loader for PostgreSQL")
def test_postgresql_reads_times_with_psycopgs_compiled_loader():
    oid = types["timestamptz"].oid
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(oid, pq.Format.TEXT)
        cursor.execute("SELECT %s::timestamptz", ["2027-03-28 03:30:15.123456+02"])
        value = cursor.fetchone()[0]
    assert loader is UTCTimestamptzLoader
    assert value == datetime.datetime(2027, 3, 28, 1, 30, 15, 123456, tzinfo=datetime.UTC)
    assert value.tzinfo == datetime.UTC
