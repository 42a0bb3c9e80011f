"""
Timestamps read from PostgreSQL by psycopg's compiled loader.

Django's psycopg 3 backend reads `timestamptz` columns with a loader built on
psycopg's pure-Python one (Django ticket #36960): about 2.5 µs a value against
0.2 µs, and a list of twenty events reads over a hundred. Django sets each
connection's time zone to UTC (USE_TZ, no database TIME_ZONE), and there the
compiled loader returns the same aware UTC datetimes, so each new connection
gets it, in a class that keeps the `timezone` attribute Django checks.
"""

import datetime

import psycopg
from psycopg import pq
from psycopg.types.datetime import TimestamptzLoader

COMPILED_LOADER = psycopg.adapters.get_loader(
    psycopg.postgres.types["timestamptz"].oid, pq.Format.TEXT
)


class UTCTimestamptzLoader(TimestamptzLoader):
    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.load = COMPILED_LOADER(oid, context).load


def use_compiled_timestamp_loader(sender, connection, **kwargs):
    """connection_created: on a PostgreSQL connection in UTC, when psycopg has its C part."""
    if (
        connection.vendor == "postgresql"
        and connection.timezone == datetime.UTC
        and COMPILED_LOADER is not TimestamptzLoader
    ):
        connection.connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)
