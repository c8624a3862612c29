"""The knowledge bank's facets kept as a summary (core.summaries): after every kind of write,
once its transaction commits, the summary gives every reader the counts the live query gives;
a change not yet counted, a write that sends no signal and a failed refresh are read live,
never stale; two writers at once are both counted."""

import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from core import summaries
from core.models import Summary, SummaryChange
from countries.models import Actor, Country
from lessons import facets, search
from lessons.models import SDG, AddedValue, Lesson, Phase

User = get_user_model()
Status = Lesson.Status
READERS = ["coordinator", "projectteam", "staff-uy", "newcomer"]


def reader(username):
    if username == "anonymous":
        return AnonymousUser()
    if username == "newcomer":
        return User.objects.get_or_create(username="newcomer")[0]
    return User.objects.get(username=username)


def lesson(title, status=Status.PUBLISHED, by=None, **many):
    created = Lesson.objects.create(
        title=title,
        status=status,
        created_by=User.objects.get(username=by) if by else None,
        keywords=many.pop("keywords", []),
        phase=many.pop("phase", None),
    )
    for name, objects in many.items():
        getattr(created, name).set(objects)
    return created


@pytest.fixture
def bank(demo, django_capture_on_commit_callbacks):
    """Lessons of every status with every facet, the summary computed as at their commit."""
    with django_capture_on_commit_callbacks(execute=True):
        uy, py = Country.objects.get(code="UY"), Country.objects.get(code="PY")
        lesson(
            "Registry of caregivers",
            countries=[py, uy],
            phase=Phase.objects.first(),
            sdgs=SDG.objects.filter(number=5),
            added_values=AddedValue.objects.filter(number__in=[1, 3]),
            actors=Actor.objects.filter(country=py)[:2],
            keywords=["Care", "Registry", "Care"],
        )
        lesson("Users in design", countries=[uy], keywords=["Participación"])
        lesson("In Argentina", countries=[Country.objects.create(code="AR")])
        lesson("In review", status=Status.IN_REVIEW, by="staff-uy", countries=[uy])
        lesson("A draft of Paraguay", status=Status.DRAFT, by="staff-py", keywords=["Secret"])
    return {"uy": uy, "py": py}


def live(user):
    return facets.facets(Lesson.objects.visible_to(user))


def assert_summary_is_live():
    assert summaries.current(facets.SUMMARY) is not None
    assert SummaryChange.objects.count() == 0
    for username in ["anonymous", *READERS, "staff-py"]:
        user = reader(username)
        assert facets.facets_of_all(user) == live(user), username


def test_every_reader_gets_from_the_summary_what_the_live_count_gives(bank):
    assert_summary_is_live()
    summary = summaries.current(facets.SUMMARY).data
    assert sum(n for _, n in summary["published"]["type"]) == 3
    assert sum(n for _, n in summary["all"]["type"]) == 5
    # A keyword written twice in one lesson counts it once.
    assert ["Care", 1] in summary["published"]["keyword"]


WRITES = {
    "a lesson written": lambda w: lesson("More", countries=[w["uy"]], keywords=["Care"]),
    "a country added": lambda w: Lesson.objects.get(title="Users in design").countries.add(w["py"]),
    "an SDG removed": lambda w: Lesson.objects.get(title="Registry of caregivers").sdgs.clear(),
}


def publish(w):
    review = Lesson.objects.get(title="In review")
    review.status = Status.PUBLISHED
    review.save()


def change_kind(w):
    actor = Actor.objects.filter(lessons__isnull=False).first()
    actor.kind = Actor.Kind.ACADEMIA if actor.kind != Actor.Kind.ACADEMIA else Actor.Kind.OTHER
    actor.save()


def remove_a_country(w):
    # Its lessons' rows of the relation go by cascade, without a signal of their own.
    Country.objects.get(code="AR").delete()


WRITES["a lesson published"] = publish
WRITES["an actor's kind changed"] = change_kind
WRITES["a country removed"] = remove_a_country


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_each_kind_of_write_is_counted_at_its_commit(
    bank, write, django_capture_on_commit_callbacks
):
    before = live(AnonymousUser())
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            WRITES[write](bank)
            # Before the commit the change is not counted: readers count live.
            assert summaries.current(facets.SUMMARY) is None
    assert_summary_is_live()
    if write != "an actor's kind changed":  # the published lessons' kinds may be the same
        assert live(reader("coordinator")) != before


def test_writes_that_change_no_count_leave_the_summary_alone(bank):
    with transaction.atomic():
        Country.objects.get(code="UY").save()  # a country's own fields count for nothing
        assert not SummaryChange.objects.filter(key=facets.SUMMARY).exists()
    assert_summary_is_live()


def test_a_write_without_signals_is_read_live(bank):
    Lesson.objects.bulk_create([Lesson(title="Bulk", status=Status.PUBLISHED)])
    assert summaries.current(facets.SUMMARY) is None
    assert facets.facets_of_all(AnonymousUser())[1] == 4


def test_a_failed_refresh_loses_no_write_and_the_list_counts_live(
    bank, monkeypatch, django_capture_on_commit_callbacks, client
):
    def fails():
        raise RuntimeError("the summary could not be computed")

    monkeypatch.setitem(summaries._computers, facets.SUMMARY, fails)
    with django_capture_on_commit_callbacks(execute=True):
        lesson("Written while the summary fails", keywords=["Care"])
    assert Lesson.objects.filter(title="Written while the summary fails").exists()
    assert summaries.current(facets.SUMMARY) is None
    response = client.get("/lessons/")
    assert response.context["page_obj"].paginator.count == 4
    assert dict((v, n) for v, _, n in response.context["facets"]["keyword"])["Care"] == 2


def test_the_list_reads_the_summary(bank, client, django_assert_num_queries):
    # The summary, its watermark, the catalogues shown, the page of lessons and their
    # countries: the same whatever the number of lessons.
    with django_assert_num_queries(8):
        response = client.get("/lessons/")
    assert response.context["page_obj"].paginator.count == 3


def test_refresh_summaries_computes_them_again(bank):
    Lesson.objects.bulk_create([Lesson(title="Bulk", status=Status.PUBLISHED)])
    summaries.refresh_all()
    assert_summary_is_live()
    assert Summary.objects.get(key=facets.SUMMARY).computed_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_are_both_counted(demo):
    uy = Country.objects.get(code="UY")
    ready = threading.Barrier(2)
    errors = []

    def write(title):
        try:
            with transaction.atomic():
                lesson(title, countries=[uy])
                ready.wait(timeout=10)  # both written, neither committed
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(t,)) for t in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert_summary_is_live()
    assert facets.facets_of_all(AnonymousUser())[1] == 2


# --- the facets of a search -----------------------------------------------------------------


def many_lessons(total, rare):
    """`total` published lessons about care, `rare` of them with a rare word, in countries,
    SDGs and actors, indexed for search as saving them would."""
    countries = list(Country.objects.order_by("pk")[:3])
    sdgs = list(SDG.objects.order_by("number")[:3])
    actors = list(Actor.objects.order_by("pk")[:3])
    lessons = Lesson.objects.bulk_create(
        Lesson(
            title=f"Cuidados {n}",
            # As long as a lesson's text: the table has as many pages as the lessons' own.
            description=f"Cuidados en el territorio {n}. " * 40
            + (" Sociocomunitaria." if n < rare else ""),
            language="es",
            status=Status.PUBLISHED,
            keywords=["cuidados", f"k{n % 4}"],
        )
        for n in range(total)
    )
    for through, field, targets in [
        (Lesson.countries.through, "country", countries),
        (Lesson.sdgs.through, "sdg", sdgs),
        (Lesson.actors.through, "actor", actors),
    ]:
        through.objects.bulk_create(
            through(lesson=lesson, **{field: targets[n % 3]}) for n, lesson in enumerate(lessons)
        )
    search.index(Lesson.objects.all())


@pytest.mark.parametrize("words", ["sociocomunitaria", "cuidados", ""])
def test_few_and_many_found_count_alike(demo, monkeypatch, words):
    many_lessons(60, rare=5)
    found = search.search(Lesson.objects.published(), words)
    monkeypatch.setattr(facets, "FEW", 10**9)
    looked_up = facets.counts(found)
    monkeypatch.setattr(facets, "FEW", 0)
    hashed = facets.counts(found)
    assert looked_up == hashed
    assert looked_up[1] == (5 if words == "sociocomunitaria" else 60)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans of PostgreSQL")
def test_a_search_with_few_matches_reads_only_its_matches(demo):
    many_lessons(3000, rare=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics, as autovacuum keeps them
        found = search.search(Lesson.objects.published(), "sociocomunitaria")
        sql, params = facets._statement(found)
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = [row for (row,) in cursor.fetchall()]
    assert any("Bitmap Index Scan on lessons_lesson_search_gin" in line for line in plan), plan
    # The relations' parts written for many matches (each behind a one-time filter on the
    # number found) do not run for these three.
    for_many = [n for n, line in enumerate(plan) if re.search(r"One-Time Filter: .* > \d+", line)]
    assert len(for_many) == 4, plan  # countries, SDGs, added values, actors
    assert all("never executed" in plan[n + 1] for n in for_many), plan
