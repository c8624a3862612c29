"""Access to the reports beyond the permission matrix (tests/support/permission_matrix.py has
every URL × every kind of user, each kind of report requested): the JSON status of a job for
more kinds of user, the file downloaded, and a requester who is deactivated.

The visit: Uruguay hosts Paraguay, Colombia and Brazil ("The National Integrated Care
System from the inside"). The jobs are the host's: a done one (with its file) and a failed one.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
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
L = "login"

# Who gets what for the JSON status of the host's done job. The three staff members are
# plain staff (not focal points); the focal point is Chile's, which takes no part in the visit.
JSON_STATUS = [
    ("", L),  # anonymous
    ("colleague-uy", 200),  # the host, who requested it
    ("colleague-cr", 404),  # staff of a partner that takes no part
    ("colleague-py", 404),  # staff of a visiting country
    ("staff-cl", 404),  # a focal point of a partner that takes no part
    ("coordinator", 404),
    ("projectteam", 200),
    ("newcomer", 404),  # signed in, no membership
]


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


@pytest.mark.parametrize("username, status", JSON_STATUS)
def test_the_json_status_is_the_requesters_and_the_teams(client, world, username, status):
    if username:
        client.force_login(User.objects.get(username=username))
    url = reverse("reports:job_detail", args=[world["done"].pk])
    response = client.get(url, headers={"accept": "application/json"})
    if status == L:
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == status
        if status == 200:
            assert response.json()["status"] == Status.DONE


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
