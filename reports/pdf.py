"""
The PDF rendering service of the reports: HTML in, a tagged PDF out.

WeasyPrint fetches every stylesheet, image, font and ``@import`` through a URL
fetcher. Ours only answers with the project's own static files and small
inline images, whatever a user typed into a field that ends up in a report:
no http(s) anywhere (not even to ourselves), no ``file://`` outside the static
folders, no large ``data:`` payloads.
"""

import base64
import binascii
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Inline images up to this size are fine (icons, logos); anything else is refused.
MAX_DATA_URL_BYTES = 64 * 1024
DATA_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
DATA_URL = re.compile(
    r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^,;]*)*?),(?P<data>.*)$", re.S
)

# PDF/UA-1 where WeasyPrint can: tagged structure, language, title shown.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class RefusedResource(ValueError):
    """A report asked for something outside the project's static files."""


def static_roots():
    """The folders whose files a report may use: the static source folders and STATIC_ROOT."""
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def static_url(path):
    """The file:// URL of a static file, for stylesheets and images of reports."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).resolve().as_uri()


class StaticOnlyFetcher(URLFetcher):
    """Answers file:// URLs inside the static folders and small data: images; refuses the rest."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.refused = []

    def fetch(self, url, headers=None):
        try:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                return self._static_file(url)
            if scheme == "data":
                return self._small_image(url)
            raise RefusedResource(f"only static files may be used in a report, not {url[:200]!r}")
        except RefusedResource:
            self.refused.append(url[:200])
            logger.warning("PDF rendering refused a resource: %.200s", url)
            raise

    def _static_file(self, url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedResource(f"file on another host: {url[:200]!r}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in static_roots()) or not path.is_file():
            raise RefusedResource(f"not a static file: {url[:200]!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def _small_image(self, url):
        match = DATA_URL.match(url)
        if not match or (match["type"] or "").lower() not in DATA_IMAGE_TYPES:
            raise RefusedResource("only small PNG, JPEG, GIF or WebP images may be inlined")
        data = match["data"]
        if len(data) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
            raise RefusedResource("inline image too large")
        try:
            body = (
                base64.b64decode(data, validate=True)
                if ";base64" in match["params"].lower()
                else unquote(data).encode("latin-1")
            )
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise RefusedResource("malformed inline image") from exc
        if len(body) > MAX_DATA_URL_BYTES:
            raise RefusedResource("inline image too large")
        return URLFetcherResponse("data:", body, {"Content-Type": match["type"]})


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    # What the document asked for and did not get (see StaticOnlyFetcher).
    refused: list


def render_pdf(html, *, on_layout_done=None):
    """
    Lay out `html` and write it as a tagged PDF.

    Title, author, subject and language come from the HTML itself (``<title>``,
    ``<meta name="author">``, ``<meta name="description">``, ``<html lang>``).
    `on_layout_done` is called between layout and writing, to report progress.
    """
    fetcher = StaticOnlyFetcher()
    document = weasyprint.HTML(
        string=html, base_url=static_roots()[0].as_uri() + "/", url_fetcher=fetcher
    ).render(**PDF_OPTIONS)
    if on_layout_done:
        on_layout_done()
    data = document.write_pdf(**PDF_OPTIONS)
    return RenderedPdf(data=data, pages=len(document.pages), refused=fetcher.refused)


def css_string(text):
    """`text` as a CSS string literal (for generated content such as page footers)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def page_counter_content(template):
    """
    The CSS ``content`` of a "page X of Y" footer from a translated template
    holding ``%(page)s`` and ``%(pages)s``, so that each language orders its words.
    """
    pieces = re.split(r"(%\((?:page|pages)\)s)", template)
    out = []
    for piece in pieces:
        if piece == "%(page)s":
            out.append("counter(page)")
        elif piece == "%(pages)s":
            out.append("counter(pages)")
        elif piece:
            out.append(css_string(piece))
    return " ".join(out)
