"""Who may use which URL of the reports: every pattern of the ``reports`` namespace × every role.

The visit: Uruguay hosts Paraguay, Colombia and Brazil ("The National Integrated Care
System from the inside"). The jobs of the matrix are the host's: a done one (with its
file) and a failed one. Who may not see a visit or a job gets 404, who may see but not
do something gets 403, anonymous users are sent to the login page; nothing refused
changes anything.
"""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import get_resolver, reverse
from django.utils import timezone

from countries.models import Membership
from lessons.models import Lesson
from reports.models import ReportJob
from visits.methodology.models import MethodologyVersion
from visits.models import Visit

User = get_user_model()
Status = ReportJob.Status

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VISIT_TITLE = "The National Integrated Care System from the inside"  # UY hosts PY, CO, BR

# The roles, by the user who plays them. The three staff members are plain staff (not
# focal points); the focal point is Chile's, which takes no part in the visit.
ROLES = {
    "anonymous": "",
    "host": "colleague-uy",
    "outsider": "colleague-cr",  # staff of a partner that takes no part
    "visitor": "colleague-py",  # staff of a visiting country
    "focal point": "staff-cl",
    "coordinator": "coordinator",
    "project team": "projectteam",
    "newcomer": "newcomer",  # signed in, no membership
}
L = "login"

# case: (url name, method and what); statuses for the ROLES, in their order.
MATRIX = {
    #                                anon  host outsider visitor focal coord team newcomer
    "job_list GET list":             (L,   200, 200,     200,    200,  200,  200, 200),
    "job_list POST visit":           (L,   302, 404,     302,    404,  302,  302, 404),
    "job_list POST overview":        (L,   403, 403,     403,    403,  302,  302, 403),
    "job_list POST methodology":     (L,   403, 403,     403,    403,  302,  302, 403),
    "job_list POST lesson":          (L,   403, 403,     403,    403,  302,  302, 403),
    "job_detail GET done":           (L,   200, 404,     404,    404,  404,  200, 404),
    "job_detail GET json":           (L,   200, 404,     404,    404,  404,  200, 404),
    "job_detail GET failed":         (L,   200, 404,     404,    404,  404,  200, 404),
    "job_detail POST done":          (L,   405, 405,     405,    405,  405,  405, 405),
    "job_download GET done":         (L,   200, 404,     404,    404,  404,  200, 404),
    "job_download GET failed":       (L,   404, 404,     404,    404,  404,  404, 404),
    "job_download POST done":        (L,   405, 405,     405,    405,  405,  405, 405),
    "job_retry POST failed":         (L,   302, 404,     404,    404,  404,  404, 404),
    "job_retry POST done":           (L,   302, 404,     404,    404,  404,  404, 404),
    "job_retry GET failed":          (L,   405, 405,     405,    405,  405,  405, 405),
}  # fmt: skip


def reports_url_names():
    _prefix, resolver = get_resolver().namespace_dict["reports"]
    return {pattern.name for pattern in resolver.url_patterns}


def test_every_url_is_in_the_matrix():
    cases = {case.split()[0] for case in MATRIX}
    assert cases == reports_url_names(), "a new URL in visits.urls.reports: add it to MATRIX"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(demo_visits):
    for username, code in [("colleague-uy", "UY"), ("colleague-py", "PY"), ("colleague-cr", "CR")]:
        colleague = User.objects.create_user(username, email=f"{username}@example.org")
        Membership.objects.create(
            user=colleague,
            actor=Membership.objects.get(user__username=f"staff-{code.lower()}").actor,
            role=Membership.Role.STAFF,
            is_focal_point=False,
        )
    User.objects.create_user("newcomer")
    visit = Visit.objects.get(title=VISIT_TITLE)
    assert {str(d.country.code) for d in visit.delegations.all()} == {"UY", "PY", "CO", "BR"}
    host = User.objects.get(username="colleague-uy")
    common = {
        "kind": ReportJob.Kind.VISIT,
        "target_id": visit.pk,
        "title": f"Systematisation: {visit.label}",
        "requested_by": host,
        "finished_at": timezone.now(),
    }
    done = ReportJob.objects.create(
        **common,
        language="en",
        status=Status.DONE,
        progress=100,
        input_hash="d" * 64,
        pages=1,
        size=len(PDF),
    )
    done.file.save(f"reports/{done.pk}/{done.download_name}", ContentFile(PDF))
    failed = ReportJob.objects.create(
        **common,
        language="es",
        status=Status.FAILED,
        input_hash="f" * 64,
        error="The report could not be produced.",
    )
    lesson = Lesson.objects.create(
        title="Interpretation makes the exchange",
        status=Lesson.Status.PUBLISHED,
        created_by=User.objects.get(username="staff-py"),
        description="Interpretation for every session.",
    )
    version = MethodologyVersion.objects.get(status=MethodologyVersion.Status.ADOPTED)
    return {"visit": visit, "done": done, "failed": failed, "lesson": lesson, "version": version}


def request_of(case, world):
    """(method, url, data, headers) of a case of the matrix."""
    name, method, what = (case.split() + [""])[:3]
    data, headers = {}, {}
    if name == "job_list":
        url = reverse("reports:job_list")
        if method == "POST":
            target = {"visit": world["visit"], "lesson": world["lesson"]}.get(what)
            if what == "methodology":
                target = world["version"]
            data = {"kind": what, "target": target.pk if target else ""}
    else:
        job = world["failed" if what == "failed" else "done"]
        url = reverse(f"reports:{name}", args=[job.pk])
        if what == "json":
            headers = {"accept": "application/json"}
    return method, url, data, headers


def snapshot():
    return list(
        ReportJob.objects.order_by("pk").values_list(
            "pk", "status", "requested_by__username", "attempts", "error", "file"
        )
    )


@contextmanager
def undone():
    """Whatever the block changes in the database is rolled back at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def expected(case, role):
    return MATRIX[case][list(ROLES).index(role)]


@pytest.mark.parametrize("role", list(ROLES))
def test_matrix(client, world, role):
    username = ROLES[role]
    if username:
        client.force_login(User.objects.get(username=username))
    statuses, wanted = {}, {}
    for case in MATRIX:
        method, url, data, headers = request_of(case, world)
        with undone():
            before = snapshot()
            call = client.post if method == "POST" else client.get
            response = call(url, data, headers=headers)
            statuses[case] = response.status_code
            wanted[case] = expected(case, role)
            if wanted[case] == L:
                statuses[case] = L if response.status_code == 302 else response.status_code
                assert response.url == f"/accounts/login/?next={url}", case
            after = snapshot()
            changed = case.startswith("job_list POST") or case == "job_retry POST failed"
            if changed and wanted[case] != L and response.status_code == 302:
                assert after != before, f"{case} changed nothing"
                check_change(case, world, username, before, after)
            else:
                assert after == before, case
    assert statuses == wanted


def check_change(case, world, username, before, after):
    """What an allowed action did: a job of the user, or the failed job queued again."""
    if case.startswith("job_list POST"):
        (new,) = [row for row in after if row not in before]
        assert new[1] == Status.QUEUED
        assert new[2] == username
    else:
        failed = ReportJob.objects.get(pk=world["failed"].pk)
        assert failed.status == Status.QUEUED


def test_the_download_is_the_file(client, world):
    client.force_login(User.objects.get(username="projectteam"))
    response = client.get(reverse("reports:job_download", args=[world["done"].pk]))
    assert b"".join(response.streaming_content) == PDF


def test_a_deactivated_requester_loses_their_jobs(client, world):
    host = User.objects.get(username="colleague-uy")
    client.force_login(host)
    User.objects.filter(pk=host.pk).update(is_active=False)
    url = reverse("reports:job_detail", args=[world["done"].pk])
    assert client.get(url).status_code == 302  # signed out: a deactivated user has no session
