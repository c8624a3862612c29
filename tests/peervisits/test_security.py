"""The security suite: XSS through every form, CSRF on every POST endpoint, hostile uploads,
sign-in throttling, security headers and the Content-Security-Policy, no inline code in pages,
cookies and headers in production, `check --deploy`, and no secrets in the repository.

tests/peervisits/test_login.py keeps the details of the lockout and
tests/visits/test_visit_attachments.py the accepted and refused attachment types one by one.

The cases of the concurrency, throttling and privilege review (issue 14) live beside the code
they test; CASES below lists them and a test checks that each still exists.
"""

import ast
import importlib
import inspect
import io
import os
import re
import secrets
import string
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.concurrency import fingerprint
from tests.support.html import assert_no_inline_code, tags
from tests.support.knowledge_bank import shipped_bytes
from tests.support.permission_matrix import MATRIX, build_world
from tests.support.worlds import PDF

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(demo):
    """A conducted visit (Paraguay hosts Uruguay), a finding, a participant; a draft version 3."""
    from countries.models import Actor, Country, Person
    from visits.methodology.models import MethodologyVersion
    from visits.models import Delegation, Finding, Participant, Visit

    v1 = MethodologyVersion.objects.get(number=1)
    visit = Visit.objects.create(
        host_country=Country.objects.get(code="PY"),
        title="Care services",
        objectives="See.",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
        status=Visit.Status.CONDUCTED,
        methodology_version=v1,
        plan_submitted_at=timezone.now(),
    )
    visit.host_actors.set([Actor.objects.get(country__code="PY", is_partner=True)])
    host = Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    uruguay = Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    lucia = Participant.objects.create(
        delegation=uruguay, person=Person.objects.get(name="Lucía Pereira"), role="political"
    )
    recommendation = Finding.objects.create(
        visit=visit,
        delegation=uruguay,
        kind=Finding.Kind.RECOMMENDATION,
        title="Publish the standards",
        text="So that others adapt them.",
    )
    return {
        "visit": visit,
        "host": host,
        "lucia": lucia,
        "recommendation": recommendation,
        "v1": v1,
        "v2": MethodologyVersion.objects.get(number=2),
    }


def sign_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- XSS -----------------------------------------------------------------------------------------

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "template": "{{ 7*7 }}",
    "textarea": "</textarea><svg onload=alert(1)>",
}
# What must never appear in an HTML page: the payloads' live tags.
LIVE = ["<script>alert(1)", "<img src=x", "<svg onload"]


def formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


def submissions(world, text):
    """(form class name, user, url, data) of a submission of `text` into every text field."""
    from countries.models import Actor, Country
    from visits.methodology.models import Endorsement
    from visits.views.agenda import agenda_state

    visit, recommendation = world["visit"], world["recommendation"]

    def visit_url(name, *args):
        return reverse(f"visits:{name}", args=[visit.pk, *args])

    yield (
        "VisitForm",
        "coordinator",
        visit_url("visit_update"),
        {
            "title": f"Visit {text}",
            "objectives": text,
            "city": "",  # a visit that took place keeps its city (none, here)
            "start_date": "2024-05-06",
            "end_date": "2024-05-08",
            "revision": visit.revision,
        },
    )
    yield (
        "AgendaItemForm",
        "coordinator",
        visit_url("agenda_edit"),
        {
            "state": agenda_state(visit),
            **formset(
                "agenda_items",
                [
                    {
                        "day": "2024-05-07",
                        "start_time": "10:00",
                        "end_time": "11:00",
                        "title": text,
                        "kind": "site_visit",
                        "place": text,
                        "notes": text,
                    }
                ],
            ),
        },
    )
    yield (
        "FindingForm",
        "coordinator",
        visit_url("finding_create"),
        {"delegation": world["host"].pk, "kind": "best_practice", "title": text, "text": text},
    )
    recommendation.refresh_from_db()
    yield (
        "FollowUpForm",
        "coordinator",
        visit_url("finding_follow_up", recommendation.pk),
        {
            "follow_up_status": "accepted",
            "host_response": text,
            "revision": recommendation.revision,
        },
    )
    yield (
        "EvaluationForm",
        "coordinator",
        visit_url("evaluation", world["lucia"].pk),
        {
            "revision": 0,
            "preparation": 4,
            "relevance": 4,
            "exchange_quality": 4,
            "use_of_time": 4,
            "comments": text,
        },
    )
    yield (
        "BudgetLineForm",
        "coordinator",
        visit_url("budget"),
        {
            "state": fingerprint(visit.budget_lines.all()),
            **formset(
                "budget_lines",
                [{"category": "venue", "description": text, "planned": "300", "currency": "USD"}],
            ),
        },
    )
    yield (
        "AttachmentForm",
        "coordinator",
        visit_url("attachment_upload"),
        {
            "attachment-kind": "document",
            "attachment-title": text,
            "attachment-file": SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf"),
        },
    )
    criteria = list(visit.methodology_version.criteria.all())
    yield (
        "ComplianceForm",
        "coordinator",
        visit_url("compliance"),
        {
            "state": fingerprint(visit.compliance_checks.all()),
            **formset(
                "form",
                [{"criterion_id": c.pk, "status": "met", "note": text} for c in criteria],
                initial=len(criteria),
            ),
        },
    )
    # The methodology: comments and an answer on version 2, in consultation.
    v2 = world["v2"]
    yield (
        "CommentForm",
        "staff-py",
        reverse("methodology:comment", args=[v2.number]),
        {"text": text, "criterion": ""},
    )
    endorsement = Endorsement.objects.get(version=v2, country__code="PY")
    yield (
        "AnswerForm",
        "staff-py",
        reverse("methodology:answer", args=[v2.number]),
        {
            "country": Country.objects.get(code="PY").pk,
            "answer": "agree",
            "comment": text,
            "revision": endorsement.revision,
        },
    )
    yield (
        "ReturnToDraftForm",
        "coordinator",
        reverse("methodology:return_to_draft", args=[v2.number]),
        {"note": text},
    )
    # Version 2 is a draft again: its summary and a new criterion.
    v2.refresh_from_db()
    yield (
        "VersionSummaryForm",
        "coordinator",
        reverse("methodology:version_update", args=[v2.number]),
        {"summary": text, "revision": v2.revision},
    )
    yield (
        "CriterionForm",
        "coordinator",
        reverse("methodology:criterion_create", args=[v2.number]),
        {
            "code": "COND-09",
            "phase": "conduct",
            "title": text,
            "text": text,
            "rationale": text,
            "origin": text,
        },
    )
    # The knowledge bank.
    yield (
        "LessonForm",
        "coordinator",
        reverse("lessons:lesson_create"),
        {
            "knowledge_type": "lessons_learnt",
            "title": f"Lesson {text}",
            "author": text,
            "language": "en",
            "description": text,
            "experience": text,
            "impacts_lead": text,
            "impacts": text,
            "keywords": text,
            "revision": 0,
        },
    )
    # Countries, actors, people.
    yield (
        "ActorForm",
        "projectteam",
        reverse("countries:actor_create"),
        {
            "name": f"Actor {text}",
            "acronym": text[:30],
            "kind": "other",
            "country": Country.objects.get(code="PY").pk,
            "website": "https://example.org/",
            "needs_review": "on",
            "review_note": text,
        },
    )
    yield (
        "PersonForm",
        "projectteam",
        reverse("countries:person_create"),
        {
            "name": f"Person {text}",
            "position": text,
            "email": "person@example.org",
            "actor": Actor.objects.get(country__code="PY", is_partner=True).pk,
            "exchange_role": "technical",
            "notes": text,
        },
    )


def lesson_follow_ups(text):
    """Submissions on the lesson just written: a proposal from it, a return with a note."""
    from lessons.models import Lesson

    lesson = Lesson.objects.latest("pk")
    yield (
        "ProposalForm",
        "coordinator",
        f"{reverse('methodology:propose')}?lesson={lesson.pk}",
        {
            "lesson": lesson.pk,
            "revises": "",
            "code": "PREP-09",
            "phase": "preparation",
            "title": text,
            "text": text,
            "rationale": text,
        },
    )
    yield (
        "ReturnForm",
        "coordinator",
        reverse("lessons:lesson_transition", args=[lesson.pk, "submit"]),
        {},
    )
    yield (
        "ReturnForm",
        "coordinator",
        reverse("lessons:lesson_transition", args=[lesson.pk, "return"]),
        {"note": text},
    )


# Form classes with no free text that ends up shown anywhere, and why.
NO_STORED_TEXT = {
    "OpenConsultationForm": "a deadline",
    "ReportRequestForm": "kind, target and language, all choices",
    "CountryForm": "a country code and a role, both choices",
    "DelegationForm": "choices",
    "ImportForm": "a file: the uploads' tests",
    "TransitionNoteForm": "the reason of a return or cancellation: test_transition_notes_…",
    "AdoptForm": "a box to tick",
}


def project_forms():
    """The names of the project's form classes that have a text field."""
    found = set()
    for module_name in [
        "visits.forms",
        "visits.methodology.forms",
        "reports.forms",
        "lessons.forms",
        "countries.forms",
    ]:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module_name and issubclass(cls, forms.BaseForm):
                found.add(name)
    return found


def test_every_form_is_in_the_xss_suite(world):
    covered = {name for name, *_rest in submissions(world, "x")} | {"ProposalForm", "ReturnForm"}
    missing = project_forms() - covered - set(NO_STORED_TEXT)
    assert not missing, f"forms without an XSS check: {sorted(missing)}"


def assert_escaped(response, payload, where):
    content = response.content.decode()
    for live in LIVE:
        assert live not in content, f"{where}: {live!r} unescaped"
    for tag, attrs, body in tags(response):
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"{where}: <{tag}> with {handlers}"
        assert not (tag == "script" and "alert" in body), f"{where}: a script runs"
        assert attrs.get("src") != "x", f"{where}: <{tag} {attrs}>"
    if payload == PAYLOADS["template"]:
        assert "{{ 7*7 }}" in content or "{{ 7*7 }}".replace(" ", "&nbsp;") in content, where
    return content


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_transition_notes_are_escaped(client, world, payload):
    """The coordinator's reason for cancelling a visit, shown on the visit's page."""
    from visits.models import Visit

    visit = world["visit"]
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.PLANNED)
    sign_in(client, "coordinator")
    url = reverse("visits:transition", args=[visit.pk, "cancel"])
    assert_escaped(client.post(url, {"note": payload}), payload, "cancel confirmation page")
    client.post(url, {"note": payload, "confirmed": "yes"})
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED and visit.cancel_reason == payload.strip()
    assert_escaped(client.get(visit.get_absolute_url()), payload, "cancelled visit page")


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_stored_text_is_escaped_everywhere(client, world, payload):
    from lessons.models import Lesson
    from reports.kinds import definition
    from reports.pdf import render_pdf

    text = f"XSS {payload} end"
    for steps in (submissions(world, text), lesson_follow_ups(text)):
        for form_name, username, url, data in steps:
            sign_in(client, username)
            response = client.post(url, data)
            assert response.status_code == 302, (
                form_name,
                response.context and [f.errors for f in response.context.get("forms", [])],
                response.context and getattr(response.context.get("form"), "errors", None),
            )
    visit = world["visit"]
    lesson = Lesson.objects.latest("pk")
    from countries.models import Actor, Person

    actor = Actor.objects.latest("pk")
    person = Person.objects.latest("pk")
    sign_in(client, "coordinator")
    pages = [
        visit.get_absolute_url(),
        reverse("visits:visit_list"),
        reverse("visits:agenda", args=[visit.pk]),
        reverse("visits:history", args=[visit.pk]),
        reverse("methodology:version_detail", args=[2]),
        reverse("methodology:version_list"),
        reverse("lessons:lesson_detail", args=[lesson.pk]),
        reverse("lessons:lesson_list"),
        reverse("countries:actor_detail", args=[actor.pk]),
        reverse("countries:actor_list"),
        reverse("countries:person_detail", args=[person.pk]),
        reverse("countries:person_list"),
        "/",
    ]
    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = assert_escaped(response, payload, url)
        seen += content.count("XSS ")
    assert seen >= 20, "the pages show the submitted text"
    if payload == PAYLOADS["script"]:
        detail = client.get(visit.get_absolute_url()).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail

    # The plain-text export: the text as it is, never as HTML.
    Lesson.objects.filter(pk=lesson.pk).update(status=Lesson.Status.PUBLISHED)
    export = Client().get(reverse("lessons:lesson_export", args=[lesson.pk]))
    assert export["Content-Type"].startswith("text/plain")
    assert export["X-Content-Type-Options"] == "nosniff"
    assert text in export.content.decode()
    # The calendar: text/calendar, the text inside it.
    ics = client.get(reverse("visits:agenda_ics", args=[visit.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert ics["X-Content-Type-Options"] == "nosniff"
    # The PDF report of the visit.
    html = definition("visit").render_html(visit, "en")
    for live in LIVE:
        assert live not in html
    assert "XSS " in html
    if payload == PAYLOADS["template"]:
        assert "{{ 7*7 }}" in html
    assert render_pdf(html).data.startswith(b"%PDF")


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>"]
)
def test_urls_other_than_web_addresses_are_refused(client, demo, website):
    from countries.models import Actor

    sign_in(client, "projectteam")
    before = Actor.objects.count()
    response = client.post(
        reverse("countries:actor_create"), {"name": "Actor", "kind": "other", "website": website}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["website"]
    assert Actor.objects.count() == before


# --- CSRF ----------------------------------------------------------------------------------------


def test_every_post_without_a_token_is_refused(world_matrix):
    world = world_matrix
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="coordinator"))
    team = Client(enforce_csrf_checks=True)
    team.force_login(User.objects.get(username="projectteam"))
    anonymous = Client(enforce_csrf_checks=True)
    statuses = {}
    for entry, (address, _get, _post, _data) in MATRIX.items():
        url = address(world)
        for who, c in (("coordinator", client), ("team", team), ("anonymous", anonymous)):
            statuses[f"{entry} as {who}"] = c.post(url, {"x": "1"}).status_code
    accepted = {case: status for case, status in statuses.items() if status != 403}
    assert not accepted, f"POSTs without a CSRF token not refused: {accepted}"


@pytest.fixture
def world_matrix(db):

    return build_world()


# --- uploads -------------------------------------------------------------------------------------

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 500
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)


def zip_bomb(size=1024**3, folder="word"):
    """An Office-like zip of about 1 MB whose member expands to `size` bytes of zeros.

    Built from one deflated megabyte repeated (each ends with a full flush, so the copies
    join into one valid stream): no gigabyte is ever compressed here.
    """
    chunk = b"\x00" * 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = size // len(chunk)
    data = block * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    members = [
        ("[Content_Types].xml", b"<Types/>", zlib.crc32(b"<Types/>"), 8, 0),
        (f"{folder}/document.xml", data, crc, count * len(chunk), 8),
    ]
    out, directory = io.BytesIO(), io.BytesIO()
    for name, content, checksum, expanded, method in members:
        offset, encoded = out.tell(), name.encode()
        fields = (method, 0, 0x21, checksum, len(content), expanded, len(encoded), 0)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *fields) + encoded + content)
        directory.write(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, offset)
            + encoded
        )
    start, listing = out.tell(), directory.getvalue()
    out.write(listing)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(listing), start, 0))
    return out.getvalue()


def test_the_zip_bomb_is_one(bomb):
    assert len(bomb) < 1100 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        member = archive.infolist()[1]
        assert member.file_size == 1024**3
        with archive.open(member) as stream:
            assert stream.read(10 * 1024 * 1024) == b"\x00" * 10 * 1024 * 1024


@pytest.fixture(scope="module")
def bomb():
    return zip_bomb()


def stored_files(media_root):
    return (
        sorted(p.name for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    )


def hostile_uploads(bomb):
    return {
        "executable ELF named .pdf": ("report.pdf", ELF),
        "executable PE named .pdf": ("report.pdf", PE),
        "SVG with a script": ("drawing.svg", SVG),
        "SVG with a script named .png": ("photo.png", SVG),
        "zip bomb named .docx": ("report.docx", bomb),
        "zip bomb named .pptx": ("slides.pptx", bomb),
        "zip bomb named .zip": ("archive.zip", bomb),
    }


def test_hostile_attachments_are_refused(client, world, media_root, settings, bomb):
    from visits.models import Attachment

    sign_in(client, "coordinator")
    url = reverse("visits:attachment_upload", args=[world["visit"].pk])
    cases = hostile_uploads(bomb)
    cases["oversize PDF"] = ("big.pdf", PDF + b"%" + b"0" * settings.ATTACHMENT_MAX_BYTES)
    for case, (name, content) in cases.items():
        response = client.post(
            url,
            {
                "attachment-kind": "document",
                "attachment-title": case,
                "attachment-file": SimpleUploadedFile(name, content),
            },
        )
        assert response.status_code == 302, case
        message = messages_of(response)[-1]
        assert message.startswith("The file was not attached. File: "), (case, message)
        if "zip bomb" in case and not case.endswith(".zip"):
            assert "would expand to 1024 MB" in message, message
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_hostile_imports_are_refused(client, demo, media_root, settings, bomb):
    from lessons.models import Lesson

    sign_in(client, "coordinator")
    before = Lesson.objects.count()
    cases = hostile_uploads(bomb)
    cases["oversize entry"] = (
        "entry.txt",
        shipped_bytes() + b"\n" * settings.LESSON_IMPORT_MAX_BYTES,
    )
    cases["executable named .txt"] = ("entry.txt", ELF)
    for case, (name, content) in cases.items():
        response = client.post(
            reverse("lessons:lesson_import"), {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 200, case
        page = response.content.decode()
        assert "confirm" not in [b.get("name") for b in _buttons(page)], case
        assert name in page, f"{case}: the refusal names the file"
    assert Lesson.objects.count() == before
    assert stored_files(media_root) == []


def _buttons(page):
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<button[^>]*>", page)]


# --- login throttling ----------------------------------------------------------------------------


def test_the_account_locks_after_the_failure_limit_even_with_the_right_password(demo, settings):
    # The lock holds for a new client (a new session) too: it is kept on the server.
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": "staff-uy", "password": "wrong"})
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "staff-uy", "password": "peervisits-demo"}
    )
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


# --- production cookies and headers --------------------------------------------------------------


@pytest.fixture
def production(settings):
    """The settings HTTPS=True and DEBUG=False give (see peervisits/settings.py)."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["peervisits.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


def test_the_production_flags_follow_https():
    """The fixture above is what settings.py does with HTTPS=True (checked in a process)."""

    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_HTTPONLY, s.DEBUG)"
    )
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "False",
    ], result.stderr


def test_plain_http_is_sent_to_https(client, production, demo):
    response = client.get("/accounts/login/", HTTP_HOST="peervisits.example.org")
    assert response.status_code == 301
    assert response.url == "https://peervisits.example.org/accounts/login/"
    # Except the health check, which comes from inside the deployment.
    assert client.get("/healthz/", HTTP_HOST="peervisits.example.org").status_code != 301


def test_cookies_and_headers_in_production(client, production, demo):
    https = {"secure": True, "HTTP_HOST": "peervisits.example.org"}
    page = client.get("/accounts/login/", **https)
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page["Content-Security-Policy"]
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    token = csrf.value
    response = client.post(
        "/accounts/login/",
        {"username": "staff-uy", "password": "peervisits-demo", "csrfmiddlewaretoken": token},
        HTTP_REFERER="https://peervisits.example.org/accounts/login/",
        **https,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # Every kind of answer carries the headers: a page, JSON, a download, an error.
    for path in ["/", "/healthz/", "/no/such/page/", "/visits/"]:
        answer = client.get(path, **https)
        assert answer["Strict-Transport-Security"].startswith("max-age=31536000"), path
        assert "Content-Security-Policy" in answer, path
        assert answer["X-Frame-Options"] == "DENY", path


# --- no secrets in the repository ----------------------------------------------------------------

PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
AWS_KEY = re.compile(r"AKIA[0-9A-Z]{16}")
# password = "…", PASSWORD: '…', --password=…
PASSWORD = re.compile(
    r"""(?i)\b(?:password|passwd|pwd|secret_key|secret)\b["']?\s*[:=]\s*["']([^"'\s]{6,})["']"""
)
ALLOWED_SECRETS = {
    "peervisits-demo",  # the documented demo password
    "django-insecure-peervisits-local-development-only",  # refused by check --deploy
}


def repository_files():
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        path = ROOT / name.decode()
        if path.is_file() and path.stat().st_size <= 1024 * 1024:
            yield path


def test_no_secrets_in_the_repository():
    files = list(repository_files())
    assert len(files) > 50
    env_files = [f for f in files if f.name == ".env" or f.name.startswith(".env.")]
    assert env_files == [] or all(f.name.endswith(".example") for f in env_files), env_files
    found = []
    for path in files:
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        relative = path.relative_to(ROOT)
        if PRIVATE_KEY.search(text):
            found.append(f"{relative}: a private key")
        if AWS_KEY.search(text):
            found.append(f"{relative}: an AWS key")
        for value in PASSWORD.findall(text):
            if value not in ALLOWED_SECRETS and not _looks_like_a_test_value(value):
                found.append(f"{relative}: a password {value!r}")
    assert not found, "\n".join(found)


def _looks_like_a_test_value(value):
    """Values the tests type into forms ("wrong", a new password…), not secrets of a system."""
    return bool(re.fullmatch(r"[\w.-]*", value)) and not re.search(
        r"[0-9].*[A-Z]|[A-Z].*[0-9]", value
    )


# --- headers, inline code and check --deploy ---------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- headers -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz/", "/no/such/page/"])
def test_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_content_security_policy(client):
    directives = csp_directives(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for values in directives.values():
        assert "'unsafe-inline'" not in values
        assert "'unsafe-eval'" not in values
        assert "*" not in values


def test_content_security_policy_for_signed_in_users(client, projectteam):
    client.force_login(projectteam)
    directives = csp_directives(client.get("/"))
    assert "'unsafe-inline'" not in directives["script-src"]


# --- no inline code --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, status", [("/", 200), ("/accounts/login/", 200), ("/no/such/page/", 404)]
)
def test_public_pages_have_no_inline_code(client, demo, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_no_inline_code(response)


@pytest.mark.parametrize("username", ["coordinator", "projectteam", "staff-py"])
def test_dashboards_have_no_inline_code(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    assert_no_inline_code(response)


@pytest.mark.parametrize(
    "path",
    [
        "/countries/",
        "/countries/PY/",
        "/countries/actors/",
        "/countries/actors/new/",
        "/countries/people/",
        "/countries/people/new/",
        "/accounts/password_change/",
    ],
)
def test_country_pages_have_no_inline_code(client, projectteam, path):
    client.force_login(projectteam)
    response = client.get(path)
    assert response.status_code == 200
    assert_no_inline_code(response)


def test_locked_out_page_has_no_inline_code(client, staff_py, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "staff-py", "password": "wrong"})
    assert response.status_code == 429
    assert_no_inline_code(response)


# --- check --deploy ---------------------------------------------------------------------------


def production_env(**overrides):
    """The environment of a production process: no DEBUG, HTTPS, a real key."""
    # Built from scratch, as a deployment would (the test process sets variables
    # such as DJANGO_ALLOW_ASYNC_UNSAFE that production must not have).
    passed_on = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VAR_DIR", "DATABASE_URL", "REDIS_URL")
    env = {key: os.environ[key] for key in passed_on if key in os.environ}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DJANGO_SETTINGS_MODULE="peervisits.settings",
        DEBUG="False",
        HTTPS="True",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="peervisits.example.org",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "overrides, warning",
    [
        ({"SECRET_KEY": None}, "security.W009"),  # the default, insecure key
        ({"SECRET_KEY": "short"}, "security.W009"),
        ({"DEBUG": "True"}, "security.W018"),
        ({"HTTPS": "False"}, "security.W008"),  # no redirect to HTTPS
    ],
)
def test_check_deploy_fails_on_insecure_settings(overrides, warning):
    result = check_deploy(production_env(**overrides))
    assert result.returncode != 0
    assert warning in result.stderr


# --- the cases of issue 14, tested where their code lives ------------------------------------

CASES = {
    "12 report requests at once on the embedded SQLite are all accepted":
        "tests/peervisits/test_embedded_stack.py::"
        "test_twelve_report_requests_at_the_same_moment_are_all_accepted",
    "a database error on one imported file: the others are imported, the summary printed":
        "tests/lessons/test_import_database_errors.py::"
        "test_a_database_error_on_one_file_does_not_stop_the_others",
    "every editing form of the site refuses a stale submission (enumerated)":
        "tests/visits/test_stale_forms.py::test_every_editing_form_refuses_a_stale_submission",
    "every page of the site is classified for stale submissions":
        "tests/visits/test_stale_forms.py::test_every_page_of_the_site_is_classified_once",
    "the admin's change pages refuse a stale submission (enumerated)":
        "tests/core/test_admin_stale_forms.py::test_a_stale_admin_form_is_refused",
    "another country's participant row is refused, saying so":
        "tests/visits/test_participant_rows.py::test_another_countrys_participant_row_is_refused",
    "a report request with the broker host unreachable answers within 2 s; the sweep ends it":
        "tests/reports/test_broker_down.py::"
        "test_a_report_request_with_the_broker_unreachable_answers_quickly_and_the_sweep_completes_it",
    "password spraying from one address is stopped":
        "tests/peervisits/test_throttling.py::test_password_spraying_from_one_address_is_stopped",
    "behind a trusted proxy the client is the forwarded address":
        "tests/peervisits/test_throttling.py::"
        "test_behind_a_trusted_proxy_the_client_is_the_forwarded_address",
    "a forged X-Forwarded-For from an untrusted peer is ignored":
        "tests/peervisits/test_throttling.py::test_a_forged_header_from_an_untrusted_peer_is_ignored",
    "new passwords by e-mail are limited":
        "tests/peervisits/test_throttling.py::test_new_passwords_by_e_mail_are_limited",
    "the project team cannot give itself a coordinator's role":
        "tests/countries/test_role_grants.py::"
        "test_the_project_team_may_not_give_itself_a_coordinators_role",
    "a finding's title stays hidden from countries that did not take part":
        "tests/visits/test_revision_leak.py::"
        "test_the_finding_stays_hidden_from_countries_that_did_not_take_part",
    "make run keeps serving when its worker is killed and renders the next report":
        "tests/peervisits/test_embedded_stack.py::test_the_stack_keeps_serving_when_its_worker_dies",
    "the embedded broker never hands a worker a half-written message":
        "tests/peervisits/test_broker.py::"
        "test_a_consumer_racing_two_publishers_gets_every_message_whole",
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_of_the_review_is_tested(case):
    path, name = CASES[case].split("::")
    # Read, not imported: test modules do not import each other.
    tree = ast.parse((ROOT / path).read_text())
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert name in tests, f"{case}: {CASES[case]} is gone"
