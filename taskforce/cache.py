"""
Whole-page cache for anonymous visitors, kept in the shared cache (CACHE_URL).

What a page shows, and so when it must change, is recorded while it renders:

- every table of the content apps its queries read gives the page a *table tag*
  (`news_article`): saving or deleting any row of that table changes the tag;
- a detail view (`ObjectPageMixin`) depends on its own object, not on its whole
  table: an *object tag* (`news_article:17`), changed when that row is saved.

A cached page is stored with the version of each of its tags, and is current
while they are. An article edit thus renews the lists and feeds that show
articles and that article's own page, not the other 9,999 article pages. Rows
that pages show only through another (`page_cache_shown_with`: a registration
is shown as its event's seat count) change that one's tags instead, and rows
that no page shows (`changes_public_pages` false: outgoing emails,
registrations for events without a seat limit) change nothing. Pages also
change with the clock (a scheduled article falls due, registration opens, an
event ends): apps register the next such moment with `register_time_boundary`,
and the site-wide version changes when it passes; `bump_content_version()`
changes it for edits that send no signals (queryset.update()).

Tags change now and again when the transaction commits, which drops a page
rendered from the old data meanwhile; a version is created once when missing
(set-if-absent), so workers never race to replace each other's. A tag that
changed after a render began may or may not be in it: that page is served,
but rendered again at the next chance. (Versions carry the time of the change
by the clock of the host that made it: keep the hosts' clocks in sync.)

Under a burst of edits a page is rendered at most once per
PAGE_CACHE_REFRESH_SECONDS: until then, and while one worker renders it (a lock
in the cache), every other request gets the previous copy. A visitor sees an
edit within about that time on every page that shows it, the site never
renders the same page many times at once, and a page never cached before is
rendered by one worker while the others wait for it (up to LOCK_SECONDS).

The cache key is the scheme, host, path and only the query parameters the view
declares it reads (`page_cache_query_params`, e.g. ("page",) or ("q", "page")),
so `?utm_source=`, `?fbclid=` or anything unknown neither make entries of their
own nor bypass the cache. A view that reads a parameter it did not declare is
not cached at all, and the log says so.

With Redis as the shared cache, each process also keeps the pages it served and
the tag versions (`ProcessPageTier`): a repeat visit is answered from the
process's memory with no round trip, for as long as Redis reports no change to
the versions it holds (client-side caching). Redis stays the one record of what
is current. When Redis cannot be reached, every cache call answers "not there"
(settings: REDIS_CACHE_OPTIONS), so pages are rendered afresh and edits save as
usual; the tier logs it once a minute. A process that fails to reach Redis
stops trying for 5 seconds (`FailFastConnectionPool`).

Requests that carry a session or messages cookie (staff, flash messages) are
never served from or stored in the cache, and neither is any response that sets
a cookie (a form with a CSRF token), so no visitor ever sees another's token,
messages or staff-only content. A response merely marked Vary: Cookie (a view
looked at request.user) is shared: without a session cookie, everyone who
receives it is the same anonymous visitor.
"""

import contextvars
import functools
import hashlib
import logging
import os
import re
import secrets
import threading
import time
import weakref
from contextlib import contextmanager
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.http import QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import set_response_etag
from redis import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "page-cache:content-version"
TAG_PREFIX = "page-cache:tag:"
PAGE_PREFIX = "page-cache:page:"
LOCK_PREFIX = "page-cache:rendering:"
CONTENT_APPS = {"taskforce", "news", "quotes", "events"}
# Health checks answer from the process alone; the admin is always private.
UNCACHED_PATHS = ("/healthz", "/readyz", "/admin/")
# HEAD shares GET's entry: views answer both alike and the server drops the body,
# so a monitor or link checker never costs a render of its own.
CACHED_METHODS = ("GET", "HEAD")
# How long others serve the previous copy (or wait) while one worker renders a page.
LOCK_SECONDS = 2
# A copy out of date by less than this is answered while the page is rendered again.
MAX_LAG_SECONDS = 2
# Set on the answer to a form sent (a registration, a cancellation): for a few seconds
# the visitor's own pages are rendered afresh, so they never see a copy from before.
FRESH_COOKIE = "pagecache-fresh"
FRESH_SECONDS = 5
_time_boundaries = []


def register_time_boundary(next_moment):
    """
    next_moment(now) returns the next time after now at which pages change, or None.
    A manager's method (Event.objects.next_change) also names the model whose saves
    can move that time.
    """
    _time_boundaries.append(next_moment)


# --- Versions ---------------------------------------------------------------------------------


def content_version(record=None):
    """
    The site-wide version as pages show it now: (edits, next time boundary).

    record is the stored version when the caller already fetched it. A missing one
    is created once (set-if-absent); one whose time boundary has passed is replaced
    by the same edits and the next boundary, which every process computes alike.
    """
    if record is None:
        record = cache.get(CONTENT_VERSION_KEY)
    now = timezone.now()
    if record is None:
        created = (time.time_ns(), _next_boundary(now))
        if cache.add(CONTENT_VERSION_KEY, created, timeout=None):
            return created
        return cache.get(CONTENT_VERSION_KEY) or created
    if record[1] is not None and record[1] <= now:
        record = (record[0], _next_boundary(now))
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
    _after_and_now(_new_version)


def _new_version():
    cache.set(CONTENT_VERSION_KEY, (time.time_ns(), _next_boundary(timezone.now())), timeout=None)


def _after_and_now(change):
    # A cache in the database sees the change at the commit anyway, and writing it
    # inside the transaction would hold its row locked until then.
    if not isinstance(caches["default"], BaseDatabaseCache):
        change()
    transaction.on_commit(change)


def tag_key(tag):
    return TAG_PREFIX + tag


def object_tag(instance):
    return f"{instance._meta.db_table}:{instance.pk}"


def bump(tags):
    """Mark pages showing any of `tags` changed, now and again when the transaction commits."""
    tags = frozenset(tags)
    if tags:
        _after_and_now(lambda: _mark_changed(tags))


def _mark_changed(tags):
    changed_at = time.time()
    cache.set_many({tag_key(tag): (changed_at, secrets.randbits(62)) for tag in tags}, timeout=None)


def tag_versions(tags):
    """{tag: version}, creating once (set-if-absent) the version of a tag never changed; None
    when the cache cannot be reached."""
    keys = {tag_key(tag): tag for tag in tags}
    found = cache.get_many(list(keys))
    for key in keys.keys() - found.keys():
        created = (0.0, secrets.randbits(62))
        added = cache.add(key, created, timeout=None)
        if added is None:
            return None
        found[key] = created if added else cache.get(key)
        if found[key] is None:
            return None
    return {keys[key]: version for key, version in found.items()}


# --- What changes which pages -----------------------------------------------------------------

# A page showing more rows than this of one table depends on the whole table instead.
OBJECTS_PER_TABLE = 200


def rows_tag(table):
    """Rows of `table` added, removed, or changed in a field other than those only shown."""
    return f"{table}:rows"


def tags_changed_by(instance, changed_fields=None):
    """
    The tags a save or delete of `instance` changes; changed_fields: the fields an
    update changed (None: created, deleted, or not known). A change to fields the
    model lists in `page_cache_shown_fields` alone (a title, a summary) moves no row
    in or out of a list, so pages that only list the table keep their copy unless
    they show that row.
    """
    if not getattr(instance, "changes_public_pages", True):
        return ()
    shown_with = getattr(instance, "page_cache_shown_with", None)
    if shown_with:
        try:
            instance = getattr(instance, shown_with)
        except Exception:  # A parent already deleted: nothing left to show.
            return ()
        return (instance._meta.db_table, object_tag(instance))
    table = instance._meta.db_table
    tags = [table, object_tag(instance)]
    shown = set(getattr(instance, "page_cache_shown_fields", ()))
    if changed_fields is None or not changed_fields <= shown:
        tags.append(rows_tag(table))
    return tags


def _remember_changed_fields(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save of a model with page_cache_shown_fields: which fields this save changes."""
    instance._page_cache_changed = None
    if raw or instance._state.adding or instance.pk is None:
        return
    deferred = instance.get_deferred_fields()
    fields = [
        field
        for field in sender._meta.concrete_fields
        if not field.primary_key
        and field.attname not in deferred
        and (update_fields is None or field.name in update_fields)
    ]
    old = sender._base_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    if old is not None:
        instance._page_cache_changed = {
            field.name for field in fields if old[field.attname] != getattr(instance, field.attname)
        }


def _content_changed(sender, instance, created=False, **kwargs):
    changed = None if created else instance.__dict__.pop("_page_cache_changed", None)
    bump(tags_changed_by(instance, changed))
    _moments_may_have_moved(sender)


def _content_deleted(sender, instance, **kwargs):
    bump(tags_changed_by(instance))
    _moments_may_have_moved(sender)


def _moments_may_have_moved(model):
    """A save of a model that sets time boundaries: the next one may now be another."""
    if any(getattr(getattr(moment, "__self__", None), "model", None) is model
           for moment in _time_boundaries):  # fmt: skip
        _after_and_now(_new_boundary)


def _new_boundary():
    """The site version with the next time boundary as it now is; unchanged if it is the same."""
    record = cache.get(CONTENT_VERSION_KEY)
    boundary = _next_boundary(timezone.now())
    if record is not None and record[1] != boundary:
        cache.set(CONTENT_VERSION_KEY, (record[0], boundary), timeout=None)


def _m2m_changed(sender, instance, **kwargs):
    if instance._meta.app_label in CONTENT_APPS:
        through = sender._meta.db_table
        bump((through, rows_tag(through), instance._meta.db_table, object_tag(instance)))


def _instance_loaded(sender, instance, **kwargs):
    dependencies = _recording.get()
    if dependencies is not None and instance.pk is not None:
        dependencies.objects.setdefault(instance._meta.db_table, set()).add(instance.pk)


def content_models():
    return [model for label in CONTENT_APPS for model in apps.get_app_config(label).get_models()]


def connect_signals():
    """Watch every model of the content apps (queryset.update() must call bump itself)."""
    for model in content_models():
        uid = f"page-cache-{model}"
        post_save.connect(_content_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_content_deleted, sender=model, dispatch_uid=uid)
        post_init.connect(_instance_loaded, sender=model, dispatch_uid=uid)
        if getattr(model, "page_cache_shown_fields", None):
            pre_save.connect(_remember_changed_fields, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_m2m_changed, dispatch_uid="page-cache-m2m")
    request_finished.connect(_refresh_after_response, dispatch_uid="page-cache-refresh")


@functools.cache
def _content_tables():
    """(pattern of the content tables whose reads give a page a tag, {table: shown fields})."""
    tables, shown = set(), {}
    for model in content_models():
        shown_elsewhere = getattr(model, "page_cache_shown_with", None) or (
            getattr(model, "changes_public_pages", True) is False
        )
        if not shown_elsewhere:
            tables.add(model._meta.db_table)
            fields = getattr(model, "page_cache_shown_fields", ())
            shown[model._meta.db_table] = tuple(f'."{field}"' for field in fields)
        for field in model._meta.local_many_to_many:
            tables.add(field.remote_field.through._meta.db_table)
    names = "|".join(sorted(map(re.escape, tables), key=len, reverse=True))
    return re.compile(rf'"({names})"'), shown


@functools.lru_cache(maxsize=2048)
def tags_read_by(sql):
    """
    The tags a query gives the page that runs it: for each content table it reads,
    its rows tag, or its every-change tag when it filters or sorts the table by a
    field that is only shown (search by title: a new title can add the row).
    """
    pattern, shown = _content_tables()
    tables = set(pattern.findall(sql))
    if not tables:
        return frozenset()
    starts = [i for i in (sql.find(" WHERE "), sql.find(" ORDER BY ")) if i >= 0]
    conditions = sql[min(starts) :] if starts else ""
    return frozenset(
        table if any(field in conditions for field in shown.get(table, ())) else rows_tag(table)
        for table in tables
    )


_recording = contextvars.ContextVar("page_cache_recording", default=None)
# A page to render again once the answer has gone out (request_finished).
_after_response = threading.local()


def _refresh_after_response(**kwargs):
    refresh = getattr(_after_response, "refresh", None)
    if refresh is not None:
        _after_response.refresh = None
        refresh()


class PageDependencies:
    """The tags of one page, recorded while it renders: what it read, and which rows."""

    def __init__(self):
        self.read = set()
        self.objects = {}  # table -> primary keys of the rows loaded
        self.inside_object = None

    def record_sql(self, execute, sql, params, many, context):
        read = self.read if self.inside_object is None else self.inside_object
        read |= tags_read_by(sql)
        return execute(sql, params, many, context)

    @property
    def tags(self):
        tags = set(self.read)
        for table, keys in self.objects.items():
            if len(keys) > OBJECTS_PER_TABLE:
                tags.add(table)
            else:
                tags.update(f"{table}:{key}" for key in keys)
        return tags


@contextmanager
def one_object():
    """
    Around loading a detail view's object: the page depends on that row (append it to
    the list yielded), not on every row of its table. Related rows read meanwhile
    (prefetches, subqueries) still count by their tables.
    """
    dependencies = _recording.get()
    loaded = []
    if dependencies is None or dependencies.inside_object is not None:
        yield loaded
        return
    dependencies.inside_object = set()
    try:
        yield loaded
    finally:
        inside, dependencies.inside_object = dependencies.inside_object, None
        own = {instance._meta.db_table for instance in loaded}
        own |= {rows_tag(table) for table in own}
        dependencies.read |= inside - own


class ObjectPageMixin:
    """For a DetailView: its page changes with its object and what the page shows of others."""

    def get_object(self, queryset=None):
        with one_object() as loaded:
            obj = super().get_object(queryset)
            loaded.append(obj)
        return obj


def page_cache_query_params(*names):
    """Declare the query parameters a function view reads (views: an attribute of that name)."""

    def declare(view):
        @functools.wraps(view)
        def declared(*args, **kwargs):
            return view(*args, **kwargs)

        declared.page_cache_query_params = names
        return declared

    return declare


@functools.lru_cache(maxsize=4096)
def _declared_params(urlconf, path):
    # Below this middleware LocaleMiddleware activates the path's language; resolving
    # /fr/... needs it active here too. An unprefixed address resolves to nothing: its
    # answer is a redirect to the visitor's language, never stored.
    try:
        with translation.override(translation.get_language_from_path(path)):
            match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match._func_path, tuple(sorted(declared_query_params(match.func)))


def declared_query_params(view):
    """The query parameters a view reads: its page_cache_query_params, or its class's."""
    names = getattr(view, "page_cache_query_params", None)
    if names is None:
        names = getattr(getattr(view, "view_class", None), "page_cache_query_params", ())
    return names


class RecordingQueryDict(QueryDict):
    """request.GET that notes which parameters the view asked for by name."""

    asked = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = set()

    def _ask(self, key):
        if self.asked is not None:
            self.asked.add(key)

    def __getitem__(self, key):
        self._ask(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._ask(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._ask(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._ask(key)
        return super().getlist(key, default)


# --- Redis, shared and per process ------------------------------------------------------------


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
    Pages and versions kept in this process, valid while Redis reports no change to them.

    A connection of the process's own asks Redis for client-side caching in
    broadcast mode on the version keys: when any client writes, deletes or
    flushes one, Redis pushes its name to that connection in the same turn of
    its event loop as its answer to the client that made the change. Messages
    waiting on the socket (checked without blocking, a few microseconds) drop
    those versions here, so they are read from Redis again and an edit still
    shows on the next request in every process. A lost connection drops them all.
    (redis-py's own client-side cache needs Redis 7.4; this needs 6.0.)

    Without django-redis as the shared cache, or when Redis refuses tracking,
    the tier stays empty and every request asks the cache, as before.
    """

    def __init__(self, seconds):
        self.pages = LocMemCache("page-cache-process", {"TIMEOUT": seconds})
        self.lock = threading.Lock()
        self.available = True
        self.pid = None
        self.connection = None
        self.disconnect = None  # Closes self.connection, once (see _watch_versions).
        self.versions = {}
        # Counts the changes seen, so a version read before a change is not kept after it.
        self.changes = 0
        self.unreachable_reported = None  # When the last "cannot be reached" was logged.
        self.pushed = []
        self.key_prefix = ""

    def begin(self):
        """Take in the changes Redis reported; returns a token for remember()."""
        with self.lock:
            if self.pid != os.getpid():
                # A forked worker never reads its parent's socket; it opens its own.
                self.pid, self.connection, self.versions = os.getpid(), None, {}
            changed = self._changed_keys()
            if changed:
                self.changes += 1
                if changed is ALL:
                    self.versions = {}
                else:
                    for key in changed:
                        self.versions.pop(key, None)
            return self.changes

    def known(self, keys):
        with self.lock:
            return {key: self.versions[key] for key in keys if key in self.versions}

    def remember(self, values, token):
        """Keep versions read from Redis after begin() returned token."""
        with self.lock:
            if token == self.changes and self.connection is not None:
                self.versions.update(values)

    def get(self, key):
        return self.pages.get(key) if self.connection is not None else None

    def set(self, key, entry):
        if self.connection is not None:
            self.pages.set(key, entry)

    def _changed_keys(self):
        if not self.available:
            return ALL
        try:
            if self.connection is None:
                self.connection = self._watch_versions()
                self.unreachable_reported = None
                return ALL
            while self.connection.can_read(timeout=0):
                self.connection.read_response(push_request=True)
            messages = self.pushed[:]
            del self.pushed[:]
            changed = set()
            for message in messages:
                keys = _invalidated_keys(message)
                if keys is ALL:
                    return ALL
                changed.update(key.removeprefix(self.key_prefix) for key in keys)
            return changed
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
            return ALL

    def _report_unreachable(self, error):
        """Once a minute at most: Redis is tried again every few seconds while it is away."""
        now = time.monotonic()
        if self.unreachable_reported is None or now - self.unreachable_reported >= 60:
            self.unreachable_reported = now
            logger.error("Redis cannot be reached; pages are served without the cache: %s", error)

    def _watch_versions(self):
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
        prefixes = [cache.make_key(CONTENT_VERSION_KEY), cache.make_key(TAG_PREFIX)]
        self.key_prefix = cache.make_key("")  # Redis names keys with it; versions here do not.

        def track_versions():
            connection.connect()
            # Invalidation messages are handed to this, not returned by read_response().
            connection._parser.set_invalidation_push_handler(self.pushed.append)
            command = ["CLIENT", "TRACKING", "ON", "BCAST"]
            for prefix in prefixes:
                command += ["PREFIX", prefix]
            connection.send_command(*command)
            connection.read_response()

        try:
            if isinstance(pool, FailFastConnectionPool):
                pool.unless_unreachable(track_versions)
            else:
                track_versions()
        except BaseException:
            connection.disconnect()
            raise
        # Closed when lost, or with the tier (a test client's), not by the garbage collector.
        self.disconnect = weakref.finalize(self, connection.disconnect)
        return connection


ALL = object()


def _invalidated_keys(message):
    """The keys a RESP3 invalidation message names; ALL for a flush."""
    if not isinstance(message, list) or len(message) < 2:
        return ALL
    kind = message[0].decode() if isinstance(message[0], bytes) else message[0]
    if kind != "invalidate" or message[1] is None:
        return ALL
    return {key.decode() if isinstance(key, bytes) else key for key in message[1]}


# --- The middleware ---------------------------------------------------------------------------


class Entry:
    """A stored page: what it showed (site version and tag versions), when, and itself."""

    __slots__ = ("after_change", "rendered_at", "response", "site", "stored_at", "tags", "trusted")

    def __init__(self, *, site, tags, rendered_at, trusted, after_change, response):
        self.site = site
        self.tags = tags
        self.rendered_at = rendered_at  # when the render began: what it read is from then on
        self.stored_at = time.time()  # the refresh window counts from here
        self.trusted = trusted
        self.after_change = after_change  # rendered because the copy before was out of date
        self.response = response

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state):
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)


class AnonymousPageCacheMiddleware:
    """Serve anonymous GETs and HEADs from the shared cache; store what is safe to share."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.refresh_seconds = settings.PAGE_CACHE_REFRESH_SECONDS
        self.private_cookies = {settings.SESSION_COOKIE_NAME, "messages", FRESH_COOKIE}
        # Static files are whitenoise's, below this middleware, with their own caching.
        self.uncached_paths = (*UNCACHED_PATHS, settings.STATIC_URL)
        self.process_tier = ProcessPageTier(self.seconds)
        self.undeclared_reported = set()

    def __call__(self, request):
        if not self.seconds:
            return self.get_response(request)
        if request.method not in CACHED_METHODS:
            return self._after_a_change(request, self.get_response(request))
        if not self._is_shareable_request(request):
            return self.get_response(request)
        urlconf = getattr(request, "urlconf", None) or get_urlconf()
        declared = _declared_params(urlconf, request.path_info)
        if declared is None:
            return self.get_response(request)  # No such page: a 404, never cached.
        rendered = []
        try:
            return self._serve(request, *declared, rendered)
        except DatabaseError:
            # The cache lives in the database (the embedded default), which is away:
            # the page is rendered without it (and answers 503 if it needs the database).
            return rendered[0] if rendered else self.get_response(request)

    def _serve(self, request, view_name, params, rendered):
        key = self._key(request, params)
        token = self.process_tier.begin()
        try:
            site, entry, from_process = self._lookup(key, token)
        except DatabaseError:
            # The site version needs the database for the next time boundary: while it
            # is away, a page already cached is served as it is.
            entry = self.process_tier.get(key) or cache.get(key)
            if entry is not None:
                return self._answer(entry, "stale")
            return self.get_response(request)
        if entry is not None:
            state = self._state(entry, site, token)
            if state != "hit" and from_process:
                # Another process may have rendered it since: the shared copy may be current.
                shared = cache.get(key)
                if shared is not None and shared.rendered_at > entry.rendered_at:
                    entry, from_process = shared, False
                    state = self._state(entry, site, token)
            if state == "hit":
                if not from_process:
                    self.process_tier.set(key, entry)
                return self._answer(entry, "hit")
            if entry.after_change and time.time() - entry.stored_at < self.refresh_seconds:
                return self._answer(entry, "stale")  # a burst: rendered again moments ago
        lock = LOCK_PREFIX + key.removeprefix(PAGE_PREFIX)
        locked = cache.add(lock, 1, timeout=LOCK_SECONDS)
        if locked is False:
            if entry is not None:
                return self._answer(entry, "stale")
            waited = self._wait_for(key)
            if waited is not None:
                return self._answer(waited, "hit")
        if locked and entry is not None and self._churning(entry):
            # Changed again moments after it was rendered for a change (a burst): this
            # visitor gets that copy at once, and this worker renders the page once the
            # answer is sent. A first change is rendered for the visitor who asks.
            _after_response.refresh = functools.partial(
                self._refresh, request, key, site, view_name, params, lock
            )
            return self._answer(entry, "stale")
        try:
            return self._render(
                request, key, site, view_name, params, token, rendered, after_change=bool(entry)
            )
        finally:
            if locked:
                cache.delete(lock)

    def _churning(self, entry):
        """Rendered for a change moments ago: the copy lacks no change older than that."""
        lag = time.time() - entry.rendered_at
        return entry.after_change and lag < min(2 * self.refresh_seconds, MAX_LAG_SECONDS)

    def _refresh(self, request, key, site, view_name, params, lock):
        try:
            token = self.process_tier.begin()
            self._render(request, key, site, view_name, params, token, [], after_change=True)
        except Exception:
            logger.exception("The page cache could not render %s again", request.path)
        finally:
            cache.delete(lock)

    def _key(self, request, params):
        query = urlencode([(name, value) for name in params for value in request.GET.getlist(name)])
        address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
        return PAGE_PREFIX + hashlib.sha256(address.encode()).hexdigest()

    def _lookup(self, key, token):
        """(site version, the stored entry or None, whether it is this process's copy)."""
        tier = self.process_tier
        site = tier.known([CONTENT_VERSION_KEY]).get(CONTENT_VERSION_KEY)
        entry = tier.get(key)
        from_process = entry is not None
        wanted = [name for name, have in ((key, entry), (CONTENT_VERSION_KEY, site)) if not have]
        if wanted:
            found = cache.get_many(wanted)
            entry = entry or found.get(key)
            if site is None:
                site = content_version(found.get(CONTENT_VERSION_KEY))
                tier.remember({CONTENT_VERSION_KEY: site}, token)
        elif site[1] is not None and site[1] <= timezone.now():
            site = content_version(site)
        return site, entry, from_process

    def _state(self, entry, site, token):
        """hit: the page shows what is current; stale: it may not."""
        if entry.site != site or not entry.trusted:
            return "stale"
        keys = {tag_key(tag): version for tag, version in entry.tags.items()}
        current = self.process_tier.known(keys)
        missing = [key for key in keys if key not in current]
        if missing:
            found = cache.get_many(missing)
            self.process_tier.remember(found, token)
            current.update(found)
        return "hit" if all(current.get(key) == keys[key] for key in keys) else "stale"

    def _wait_for(self, key):
        """A page another worker is rendering for the first time, once it is there."""
        deadline = time.monotonic() + LOCK_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            entry = cache.get(key)
            if entry is not None:
                return entry
        return None

    def _render(self, request, key, site, view_name, params, token, rendered, after_change):
        started = time.time()
        dependencies = PageDependencies()
        query = request.META.get("QUERY_STRING", "")
        request.GET = RecordingQueryDict(query, encoding=request.encoding)
        recording = _recording.set(dependencies)
        try:
            with connection.execute_wrapper(dependencies.record_sql):
                response = self.get_response(request)
        finally:
            _recording.reset(recording)
        rendered.append(response)
        if not self._is_shareable_response(response):
            return response
        undeclared = request.GET.asked - set(params)
        if undeclared:
            self._report_undeclared(view_name, undeclared)
            return response
        versions = tag_versions(dependencies.tags)
        if versions is None or site is None:
            return response  # The cache cannot be reached: nothing to store.
        trusted = all(version[0] < started for version in versions.values())
        set_response_etag(response)
        entry = Entry(
            site=site,
            tags=versions,
            rendered_at=started,
            trusted=trusted,
            after_change=after_change,
            response=response,
        )
        cache.set(key, entry, self.seconds)
        self.process_tier.remember({tag_key(tag): v for tag, v in versions.items()}, token)
        self.process_tier.set(key, entry)
        response["X-Page-Cache"] = "miss"
        return response

    def _report_undeclared(self, view_name, names):
        for name in sorted(names - self.undeclared_reported):
            self.undeclared_reported.add(name)
            logger.warning(
                "%s reads ?%s, which it does not declare in page_cache_query_params: "
                "its pages are not cached",
                view_name,
                name,
            )

    @staticmethod
    def _after_a_change(request, response):
        if response.status_code < 400:
            response.set_cookie(
                FRESH_COOKIE, "1", max_age=FRESH_SECONDS, secure=request.is_secure(),
                httponly=True, samesite="Lax",
            )  # fmt: skip
        return response

    @staticmethod
    def _answer(entry, state):
        response = entry.response
        response["X-Page-Cache"] = state
        return response

    def _is_shareable_request(self, request):
        return (
            request.method in CACHED_METHODS
            and not self.private_cookies.intersection(request.COOKIES)
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(self.uncached_paths)
            and not getattr(request, "malformed", "")
        )

    def _is_shareable_response(self, response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        )
