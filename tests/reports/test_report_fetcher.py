"""
WeasyPrint fetches nothing but the project's static files: no request to any
server (a local one records every attempt), no file outside static, no large
inline payload — whether the HTML comes from a template or a user typed it.
"""

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from reports.kinds import definition
from reports.pdf import MAX_DATA_URL_BYTES, RefusedResource, StaticOnlyFetcher, render_pdf
from visits.models import AgendaItem, BudgetLine, Finding, Visit

# A 1×1 PNG, the kind of small inline image a report may carry.
TINY_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


class Recorder(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        body = b"body { color: red }" if self.path.endswith(".css") else base64.b64decode(TINY_PNG)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def hostile_html(port, secret):
    here = f"http://127.0.0.1:{port}"
    static = Path(settings.STATICFILES_DIRS[0]).resolve()
    big_image = base64.b64encode(b"\x89PNG" + b"\0" * (MAX_DATA_URL_BYTES + 10)).decode()
    return f"""<!doctype html><html lang="en"><head><title>Hostile</title>
<link rel="stylesheet" href="{here}/linked.css">
<link rel="stylesheet" href="https://127.0.0.1:{port}/secure.css">
<link rel="attachment" href="file://{secret}">
<link rel="attachment" href="{here}/attachment.bin">
<style>
@import url("{here}/imported.css");
@import "file://{secret}";
@font-face {{ font-family: Remote; src: url("{here}/font.woff"); }}
body {{ background: url("{here}/background.png"); font-family: Remote; }}
h1::after {{ content: url("{here}/after.png"); }}
</style></head><body>
<h1>Report</h1>
<img src="{here}/image.png" alt="">
<img src="//127.0.0.1:{port}/protocol-relative.png" alt="">
<img src="ftp://127.0.0.1:{port}/ftp.png" alt="">
<img src="file://{secret}" alt="">
<img src="{secret}" alt="">
<img src="file://{static}/../peervisits/settings.py" alt="">
<img src="../peervisits/settings.py" alt="">
<img src="file://localhost{secret}" alt="">
<img src="file://127.0.0.1{secret}" alt="">
<img src="data:text/html;base64,{base64.b64encode(b"<script>alert(1)</script>").decode()}" alt="">
<img src="data:image/png;base64,{big_image}" alt="">
<img src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>\
<image href='{here}/in-svg-data.png'/></svg>" alt="">
<object data="file://{secret}"></object>
<embed src="{here}/embedded.png">
<iframe src="file://{secret}"></iframe>
<svg width="10" height="10"><image href="{here}/svg-image.png" width="10" height="10"/>
<use href="{here}/sprite.svg#x"/></svg>
<p>End.</p>
</body></html>"""


def test_nothing_outside_static_is_fetched(recording_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT root:x:0:0")

    pdf = render_pdf(hostile_html(recording_server.server_port, secret))

    assert recording_server.requests == []
    assert b"TOP-SECRET" not in pdf.data
    reader = PdfReader(BytesIO(pdf.data))
    assert "TOP-SECRET" not in " ".join(page.extract_text() for page in reader.pages)
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    # Every attempt was refused by the fetcher itself (and logged), not by luck.
    assert len(pdf.refused) >= 15
    assert any("etc" in url or "secret" in url for url in pdf.refused)


def test_etc_passwd_is_refused(recording_server):
    fetcher = StaticOnlyFetcher()
    for url in (
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///proc/self/environ",
        f"http://127.0.0.1:{recording_server.server_port}/",
        "https://example.org/",
        "ftp://127.0.0.1/",
        "gopher://127.0.0.1/",
        "data:text/plain,hello",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)
    assert recording_server.requests == []


def test_static_files_and_small_images_are_served():
    fetcher = StaticOnlyFetcher()
    stylesheet = (Path(settings.STATICFILES_DIRS[0]) / "css" / "report.css").resolve()
    assert fetcher.fetch(stylesheet.as_uri()).read() == stylesheet.read_bytes()
    png = fetcher.fetch(f"data:image/png;base64,{TINY_PNG}")
    assert png.read().startswith(b"\x89PNG")
    pdf = render_pdf(
        '<html lang="en"><head><title>t</title><link rel="stylesheet" href="css/report.css">'
        '</head><body><img src="img/favicon.svg" alt="">'
        f'<img src="data:image/png;base64,{TINY_PNG}" alt=""><p>Fine</p></body></html>'
    )
    assert pdf.refused == []


@pytest.mark.django_db
def test_what_users_type_into_a_visit_is_text_in_its_report(recording_server, demo_visits):
    here = f"http://127.0.0.1:{recording_server.server_port}"
    payloads = [
        f'<img src="{here}/typed-image.png">',
        '<img src="file:///etc/passwd">',
        f'<link rel="stylesheet" href="{here}/typed.css">',
        f'<style>@import url("{here}/typed-import.css");</style>',
        f"<svg><image href='{here}/typed-svg.png'/></svg>",
        '<iframe src="file:///etc/passwd"></iframe>',
    ]
    typed = " ".join(payloads)
    visit = Visit.objects.filter(status=Visit.Status.CLOSED).order_by("pk").first()
    Visit.objects.filter(pk=visit.pk).update(objectives=typed, city=payloads[0][:100])
    Finding.objects.filter(visit=visit).update(text=typed, host_response=typed)
    AgendaItem.objects.filter(visit=visit).update(notes=typed, place=payloads[1])
    BudgetLine.objects.filter(visit=visit).update(description=payloads[0][:200])

    report = definition("visit")
    html = report.render_html(report.target(None, visit.pk), "en")
    pdf = render_pdf(html)

    assert recording_server.requests == []
    assert pdf.refused == []  # escaped: never even an element that could fetch
    assert "&lt;img src=&quot;" in html and f'src="{here}' not in html
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf.data)).pages
    )
    assert '<img src="file:///etc/passwd">' in text
