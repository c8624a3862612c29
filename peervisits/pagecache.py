"""
Reading pages (visit list and detail, lesson search, the methodology) kept
rendered in the cache for the session that asked for them, until anything is
written: the same session asking again for the same page, in the same language,
gets it without the queries and the template rendering.

Every key holds a *generation*, one value for the whole site; a write replaces
it, which retires every page at once. Writes are seen twice, so that none is
missed: every POST (or other unsafe request) once its view has returned, which
covers bulk and queryset updates; and every model signal, which covers Celery
tasks, commands and the shell. A signal inside a transaction bumps again when
the transaction commits: a page rendered before the commit shows the old data.

Keys also hold the *release*, a digest of the code, templates, static files and
catalogues: after a deploy, no page of the previous release (naming static files
that are gone) is served.

Permissions are still checked by each view on every request, before it asks
for its page. When the cache is down, pages are rendered and writes go through:
the cache only ever saves work. The key also holds the CSRF cookie (the page's forms carry a token
made from it) and today's date (pages say what is late or upcoming).
"""

import functools
import hashlib
import logging
import uuid
import zlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What a cache that is down raises (Redis's client wraps most socket errors; not all).
CACHE_DOWN = (RedisError, OSError)

GENERATION_KEY = "pagecache:generation"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Writes that change no cached page: sessions, login-failure records, report jobs (shown on
# the report pages only, which are not cached).
IGNORED_MODELS = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "visits.reportjob",
}
# Requests that may write, but nothing a cached page shows: signing in and out (a new
# session has keys of its own), choosing a language (part of the key), asking for a report.
NEUTRAL_VIEWS = {
    "login",
    "logout",
    "set_language",
    "reports:job_list",
    "reports:job_retry",
}


# What a page is made from (below BASE_DIR).
SOURCES = ("peervisits", "countries", "visits", "lessons", "templates", "static", "locale")


@functools.cache
def release():
    """A digest of the sources this process serves pages from (once per process: about
    1.5 MB to read)."""
    digest = hashlib.sha256()
    for folder in SOURCES:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".mo":
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, value, None):  # another process was first
            value = cache.get(GENERATION_KEY, value)
    return value


def bump():
    """Retire every cached page."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except CACHE_DOWN:
        # The write itself has succeeded; pages kept from before expire with their timeout.
        logger.warning("page cache: the cache is down, pages were not retired", exc_info=True)


def _key(request):
    """The page's key, or None when the page must not be cached for this request."""
    timeout = settings.PAGE_CACHE_TIMEOUT
    csrf_secret = request.META.get("CSRF_COOKIE")
    session_key = getattr(request, "session", None) and request.session.session_key
    if not (timeout and request.method == "GET" and csrf_secret and session_key):
        return None
    if not request.user.is_authenticated:
        return None  # also proves the session is still valid
    if len(messages.get_messages(request)):
        return None  # the messages are shown once, by a rendering
    parts = [
        session_key,
        csrf_secret,
        translation.get_language() or "",
        str(timezone.localdate()),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"pagecache:{release()}:{generation()}:{digest}"


def cached_response(request, render):
    """``render()``'s response, or the one it gave this session for the same page since
    the last write. Call it once the request's permissions are checked."""
    try:
        key = _key(request)
        cached = cache.get(key) if key else None
    except CACHE_DOWN:
        logger.warning("page cache: the cache is down, the page is rendered", exc_info=True)
        return render()
    if cached is not None:
        compressed, content_type = cached
        get_token(request)  # keeps the CSRF cookie fresh, as the rendering does
        return HttpResponse(zlib.decompress(compressed), content_type=content_type)
    response = render()
    if key and response.status_code == 200 and not response.streaming and not response.cookies:
        # A page of 15-30 kB takes 4-7 kB compressed, in a tenth of a millisecond or two.
        page = (zlib.compress(response.content, 1), response["Content-Type"])
        try:
            cache.set(key, page, settings.PAGE_CACHE_TIMEOUT)
        except CACHE_DOWN:
            logger.warning("page cache: the cache is down, the page is not kept", exc_info=True)
    return response


def cached_page(view):
    """The view's pages through cached_response(); put it under the decorators
    that check permissions."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return cached_response(request, lambda: view(request, *args, **kwargs))

    return wrapper


class BumpOnWriteMiddleware:
    """Every unsafe request may have written (bulk and queryset updates send no
    signal): the pages are retired once its view has returned, and committed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        neutral = match is not None and match.view_name in NEUTRAL_VIEWS
        if request.method not in SAFE_METHODS and not neutral:
            bump()
        return response


def _model_written(sender, using=DEFAULT_DB_ALIAS, update_fields=None, **kwargs):
    if sender._meta.label_lower in IGNORED_MODELS or update_fields == {"last_login"}:
        return  # nothing a page shows (a sign-in saves the user's last login)
    bump()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and not _bump_pending(connection):
        transaction.on_commit(bump, using=using)


def _bump_pending(connection):
    """Whether a bump already waits for this transaction's commit, registered outside any
    savepoint that could still be rolled back without this write (Django keeps each
    callback with the savepoints open when it was registered)."""
    open_savepoints = set(connection.savepoint_ids)
    return any(
        func is bump and savepoints <= open_savepoints
        for savepoints, func, _robust in connection.run_on_commit
    )


def connect_signals():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_model_written, dispatch_uid=f"pagecache-{id(signal)}")
