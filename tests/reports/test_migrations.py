"""Report jobs moved from the visits app to the reports app (reports/migrations/0001,
visits/migrations/0007): every job and its file stay, forwards, backwards and forwards."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("visits", "0006_criterion_comment_keeps_its_code"), ("reports", None)]
AFTER = [("visits", "0007_report_jobs_move_to_reports"), ("reports", "0001_initial")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.fixture(autouse=True)
def _latest_migrations_after():
    # The tests after this one need every migration, those after the move included.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def jobs_of(apps, app_label):
    ReportJob = apps.get_model(app_label, "ReportJob")
    return sorted(
        ReportJob.objects.values_list("pk", "kind", "status", "file", "reused_from_id", "title")
    )


def content_type_labels():
    return sorted(ContentType.objects.filter(model="reportjob").values_list("app_label", flat=True))


def test_jobs_and_files_survive_the_move_both_ways(django_user_model):
    old = migrate(BEFORE)
    user = django_user_model.objects.create_user("requester")
    OldJob = old.get_model("visits", "ReportJob")
    first = OldJob.objects.create(
        kind="overview", title="Programme overview", language="es", requested_by_id=user.pk,
        status="done", progress=100, file="reports/1/programme-overview-es.pdf", pages=3,
        input_hash="a" * 64,
    )  # fmt: skip
    OldJob.objects.create(
        kind="overview", title="Programme overview", language="es", requested_by_id=user.pk,
        status="done", progress=100, file=first.file, pages=3, input_hash="a" * 64,
        reused_from_id=first.pk,
    )  # fmt: skip
    OldJob.objects.create(kind="visit", target_id=7, title="A visit", language="pt",
                          requested_by_id=user.pk)  # fmt: skip
    before = jobs_of(old, "visits")
    assert len(before) == 3
    assert content_type_labels() == ["visits"]

    new = migrate(AFTER)
    assert jobs_of(new, "reports") == before
    assert content_type_labels() == ["reports"]  # its permissions and admin history follow

    old = migrate(BEFORE)
    assert jobs_of(old, "visits") == before
    assert content_type_labels() == ["visits"]

    new = migrate(AFTER)
    assert jobs_of(new, "reports") == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM visits_reportjob")
        assert cursor.fetchone() == (3,)  # one table throughout
