"""
Whole-page cache for anonymous visitors, kept in the shared cache (CACHE_URL).

Every cached page is keyed by a content version. Saving or deleting any row of
the site's content (organisations, news, quotes, events) bumps the version, now
and once the transaction commits, so an edit shows up on the next request, on
every process. A row whose model says it is not on public pages
(`changes_public_pages` false: outgoing emails, registrations for events without
a seat count) leaves the cache alone, so a burst of registrations does not
empty it. Pages also change with the clock (a scheduled
article falls due, registration opens, an event ends): apps register the next
such moment with `register_time_boundary`, and the key changes when it passes.

With Redis as the shared cache, each process also keeps the pages it served
(`ProcessPageTier`): a repeat visit is answered from the process's memory with
no round trip, for as long as Redis reports no change to the content version.
Redis stays the one record of what is current; a process's copy is a mirror
that Redis invalidates, never state that other processes depend on.

When Redis cannot be reached, every cache call answers "not there" (settings:
REDIS_CACHE_OPTIONS), so pages are rendered afresh and edits save as usual;
the tier logs it once a minute. A process that fails to reach Redis stops
trying for 5 seconds (`FailFastConnectionPool`), so a Redis that hangs
rather than refuses costs each process one timeout every 5 seconds, not one
for every cache call of every request. An edit saved meanwhile cannot change the
version, so if Redis comes back with its data, a page it stored just before
can be served until it expires (PAGE_CACHE_SECONDS at most).

Requests that carry a session or messages cookie (staff, flash messages) are
never served from or stored in the cache, and neither is any response that sets
a cookie (a form with a CSRF token), so no visitor ever sees another's token,
messages or staff-only content. A response merely marked Vary: Cookie (a view
looked at request.user) is shared: without a session cookie, everyone who
receives it is the same anonymous visitor.
"""

import functools
import hashlib
import logging
import os
import threading
import time
import weakref

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import set_response_etag
from redis import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "page-cache:content-version"
CONTENT_APPS = {"taskforce", "news", "quotes", "events"}
# Health checks answer from the process alone; the admin is always private.
UNCACHED_PATHS = ("/healthz", "/readyz", "/admin/")
# HEAD shares GET's entry: views answer both alike and the server drops the body,
# so a monitor or link checker never costs a render of its own.
CACHED_METHODS = ("GET", "HEAD")
_time_boundaries = []


def register_time_boundary(next_moment):
    """next_moment(now) returns the next time after now at which pages change, or None."""
    _time_boundaries.append(next_moment)


def content_version(record=None):
    """
    The version of the content as pages show it now: (edits, next time boundary).

    record is the stored version when the caller already fetched it.
    """
    if record is None:
        record = cache.get(CONTENT_VERSION_KEY)
    now = timezone.now()
    if record is None or (record[1] is not None and record[1] <= now):
        edits = record[0] if record else time.time_ns()
        record = (edits, _next_boundary(now))
        cache.set(CONTENT_VERSION_KEY, record, timeout=None)
    return record


def _next_boundary(now):
    moments = [moment for next_moment in _time_boundaries if (moment := next_moment(now))]
    return min(moments, default=None)


def bump_content_version():
    """
    Invalidate every cached page, now and again when the transaction commits.

    The second bump drops any page that another request rendered from the old
    data and cached while this transaction was still open.
    """
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    cache.delete(CONTENT_VERSION_KEY)


def _content_changed(sender, instance, **kwargs):
    if getattr(instance, "changes_public_pages", True):
        bump_content_version()


def connect_signals():
    """Watch every model of the content apps (queryset.update() must call bump itself)."""
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            for signal in (post_save, post_delete):
                signal.connect(_content_changed, sender=model, dispatch_uid=f"page-cache-{model}")
    m2m_changed.connect(_m2m_changed, dispatch_uid="page-cache-m2m")


def _m2m_changed(sender, instance, **kwargs):
    if instance._meta.app_label in CONTENT_APPS:
        bump_content_version()


class FailFastConnectionPool(ConnectionPool):
    """
    Redis connections that are not tried again for `retry_seconds` after one failed to open.

    Meanwhile asking for a connection fails at once, and django-redis answers "not
    there" (IGNORE_EXCEPTIONS). Anything wrong at the other end counts, a wrong
    service on the port included, so a misconfigured CACHE_URL degrades the same way.
    """

    retry_seconds = 5

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unreachable_until = 0.0

    def get_connection(self, *args, **kwargs):
        return self.unless_unreachable(functools.partial(super().get_connection, *args, **kwargs))

    def unless_unreachable(self, connect):
        """connect(), unless Redis could not be reached moments ago; ResponseError passes as is."""
        if time.monotonic() < self.unreachable_until:
            raise RedisConnectionError("Redis could not be reached moments ago")
        try:
            return connect()
        except ResponseError:
            raise
        except (RedisError, OSError) as error:
            self.unreachable_until = time.monotonic() + self.retry_seconds
            if isinstance(error, (RedisConnectionError, RedisTimeoutError)):
                raise
            raise RedisConnectionError(str(error)) from error


class ProcessPageTier:
    """
    Pages kept in this process, valid while Redis reports no change to the version.

    A connection of the process's own asks Redis for client-side caching in
    broadcast mode on the version key: when any client writes, deletes or
    flushes it, Redis pushes a message to that connection in the same turn of
    its event loop as its answer to the client that made the change. A message
    waiting on the socket (checked without blocking, a few microseconds) means
    the version must be read from Redis again, so an edit still shows on the
    next request in every process. A lost connection counts as a change.
    (redis-py's own client-side cache needs Redis 7.4; this needs 6.0.)

    Without django-redis as the shared cache, or when Redis refuses tracking,
    the tier stays empty and every request asks Redis, as before.
    """

    def __init__(self, seconds):
        self.pages = LocMemCache("page-cache-process", {"TIMEOUT": seconds})
        self.lock = threading.Lock()
        self.available = True
        self.pid = None
        self.connection = None
        self.disconnect = None  # Closes self.connection, once (see _watch_version).
        self.record = None
        # Counts the changes seen, so a version read before a change is not kept after it.
        self.changes = 0
        self.unreachable_reported = None  # When the last "cannot be reached" was logged.

    def version(self):
        """The version read last (None: read it from Redis again) and a token for remember()."""
        with self.lock:
            if self.pid != os.getpid():
                # A forked worker never reads its parent's socket; it opens its own.
                self.pid, self.connection, self.record = os.getpid(), None, None
            if not self._unchanged():
                self.changes += 1
                self.record = None
            return self.record, self.changes

    def remember(self, record, token):
        """Keep the version read from Redis after version() returned token."""
        with self.lock:
            if token == self.changes and self.connection is not None:
                self.record = record

    def get(self, key, version):
        stored = self.pages.get(key)
        if stored is not None and stored[0] == version:
            return stored[1]
        return None

    def set(self, key, stored):
        if self.connection is not None:
            self.pages.set(key, stored)

    def _unchanged(self):
        if not self.available:
            return False
        try:
            if self.connection is None:
                self.connection = self._watch_version()
                self.unreachable_reported = None
                return False
            changed = False
            while self.connection.can_read(timeout=0):
                self.connection.read_response(push_request=True)
                changed = True
            return not changed
        except (RedisError, OSError) as error:
            if self.connection is not None:
                self.disconnect()
            elif isinstance(error, ResponseError):
                # Redis before 6.0, or a server or user without CLIENT TRACKING: asked once.
                logger.warning("Pages are not kept per process: Redis refused tracking: %s", error)
                self.available = False
            else:
                self._report_unreachable(error)
            self.connection = None
            return False

    def _report_unreachable(self, error):
        """Once a minute at most: Redis is tried again every few seconds while it is away."""
        now = time.monotonic()
        if self.unreachable_reported is None or now - self.unreachable_reported >= 60:
            self.unreachable_reported = now
            logger.error("Redis cannot be reached; pages are served without the cache: %s", error)

    def _watch_version(self):
        get_client = getattr(getattr(cache, "client", None), "get_client", None)
        if get_client is None:
            self.available = False
            return None
        pool = get_client(write=False).connection_pool
        # Like the pool's connections, outside the pool; RESP3 carries the messages.
        connection = pool.connection_class(
            **{
                **pool.connection_kwargs,
                "protocol": 3,
                "client_name": f"page-cache-watch-{os.getpid()}",
            }
        )
        version_key = cache.make_key(CONTENT_VERSION_KEY)

        def track_version():
            connection.connect()
            connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", version_key)
            connection.read_response()

        try:
            if isinstance(pool, FailFastConnectionPool):
                pool.unless_unreachable(track_version)
            else:
                track_version()
        except BaseException:
            connection.disconnect()
            raise
        # Closed when lost, or with the tier (a test client's), not by the garbage collector.
        self.disconnect = weakref.finalize(self, connection.disconnect)
        return connection


class AnonymousPageCacheMiddleware:
    """Serve anonymous GETs and HEADs from the shared cache; store what is safe to share."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.private_cookies = {settings.SESSION_COOKIE_NAME, "messages"}
        # Static files are whitenoise's, below this middleware, with their own caching.
        self.uncached_paths = (*UNCACHED_PATHS, settings.STATIC_URL)
        self.process_tier = ProcessPageTier(self.seconds)

    def __call__(self, request):
        if not self.seconds or not self._is_shareable_request(request):
            return self.get_response(request)
        url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"page-cache:page:{url}"
        record, token = self.process_tier.version()
        if record is not None:
            response = self.process_tier.get(key, content_version(record))
            if response is not None:
                return self._hit(response)
        # One round trip: the current version and the page with the version it shows.
        found = cache.get_many([CONTENT_VERSION_KEY, key])
        version = content_version(found.get(CONTENT_VERSION_KEY))
        self.process_tier.remember(version, token)
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            self.process_tier.set(key, stored)
            return self._hit(stored[1])
        response = self.get_response(request)
        if self._is_shareable_response(response):
            set_response_etag(response)
            cache.set(key, (version, response), self.seconds)
            self.process_tier.set(key, (version, response))
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _hit(response):
        response["X-Page-Cache"] = "hit"
        return response

    def _is_shareable_request(self, request):
        return (
            request.method in CACHED_METHODS
            and not self.private_cookies.intersection(request.COOKIES)
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(self.uncached_paths)
        )

    def _is_shareable_response(self, response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        )
