"""A visit's and a version's history reads as a story: what changed (field: before → after, in
the reader's language), who changed it and why; restore only where it makes sense."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.support.html import find, text
from tests.visits.test_visit_workflow import new_visit, refreshed
from visits.forms import VisitForm
from visits.models import Visit
from visits.workflow import apply_transition

Status = Visit.Status


@pytest.fixture
def visit(demo):
    return new_visit()


def edit(visit, user, **changes):
    """Saves the visit's form as its page would, with `changes`."""
    data = {
        "title": visit.title,
        "objectives": visit.objectives,
        "city": visit.city,
        "start_date": visit.start_date.isoformat(),
        "end_date": visit.end_date.isoformat(),
        "host_actors": [a.pk for a in visit.host_actors.all()],
        "revision": visit.revision,
        **changes,
    }
    form = VisitForm(data, instance=visit)
    assert form.is_valid(), form.errors
    saved = form.save(commit=False)
    saved.updated_by = user
    saved.save()
    return refreshed(visit)


def history_page(client, user, visit, language="en"):
    client.force_login(user)
    with translation.override(language):
        return client.get(reverse("visits:history", args=[visit.pk]), HTTP_ACCEPT_LANGUAGE=language)


def test_each_entry_says_what_changed_and_who_changed_it(client, visit, staff_py):
    visit = edit(visit, staff_py, city="Encarnación", end_date="2024-05-09")
    page = text(history_page(client, staff_py, visit))
    assert "City: — → Encarnación" in page
    assert "End date: May 8, 2024 → May 9, 2024" in page
    assert "Revision" not in page  # bookkeeping is not a change to the reader


def test_the_reasons_of_a_return_and_a_cancellation_are_told(client, visit, staff_py, coordinator):
    apply_transition(visit, "submit", staff_py)
    apply_transition(visit, "return", coordinator, note="Add a site visit.")
    apply_transition(visit, "cancel", staff_py, note="The host postponed the programme.")
    page = text(history_page(client, staff_py, visit))
    assert "Status: Submitted — awaiting approval → Returned" in page
    assert "Why: Add a site visit." in page
    assert "Status: Returned → Cancelled" in page
    assert "Why: The host postponed the programme." in page
    assert page.count("Why:") == 2


def test_the_story_is_in_the_readers_language(client, visit, staff_py):
    apply_transition(visit, "submit", staff_py)
    page = text(history_page(client, staff_py, visit, language="pt"))
    assert "Situação: Rascunho → Enviado — aguardando aprovação" in page


def test_restore_is_offered_on_an_open_visit_only(client, visit, staff_py, coordinator):
    visit = edit(visit, coordinator, city="Encarnación")
    restore = reverse("visits:restore", args=[visit.pk, visit.history.last().history_id])
    assert find(history_page(client, coordinator, visit), "form", action=restore)

    Visit.objects.filter(pk=visit.pk).update(status=Status.CLOSED)
    page = history_page(client, coordinator, visit)
    assert not find(page, "form", action=restore)
    assert "its earlier states are shown, not restored" in text(page)
    # And refused if asked all the same.
    client.post(restore)
    assert refreshed(visit).city == "Encarnación"


def test_the_history_page_reads_related_rows_once(client, visit, staff_py, coordinator,
                                                  django_assert_max_num_queries):  # fmt: skip
    for city in ("Encarnación", "Luque", "Asunción"):
        visit = edit(visit, staff_py, city=city)
    client.force_login(staff_py)
    url = reverse("visits:history", args=[visit.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for city in ("Encarnación", "Luque", "Asunción") * 5:
        visit = edit(visit, coordinator, city=city)
    with django_assert_max_num_queries(40) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_versions_history_says_what_changed_in_its_criteria(client, demo, coordinator):
    from visits.methodology.models import Criterion, MethodologyVersion

    version = MethodologyVersion.objects.get(status=MethodologyVersion.Status.CONSULTATION)
    criterion = version.criteria.first()
    old_title = criterion.title
    criterion.title = "A clearer title"
    criterion.save()
    client.force_login(coordinator)
    page = text(client.get(reverse("methodology:history", args=[version.number])))
    assert f"Title: {old_title} → A clearer title" in page
    assert Criterion.history.filter(id=criterion.pk).count() >= 2
