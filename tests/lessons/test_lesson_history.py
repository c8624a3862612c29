"""A lesson's history: what each save changed, who saved it, and the reviewer's reason when it
went back to its author."""

from django.urls import reverse

from lessons.models import Lesson
from tests.lessons.test_lesson_pages import new_lesson, transition_url
from tests.support.html import find, text

Status = Lesson.Status


def test_the_history_says_what_changed_who_and_why(client, demo, staff_py, coordinator):
    lesson = new_lesson("Care at home", status=Status.IN_REVIEW, by=staff_py)
    lesson.title = "Care at home, with the families"
    lesson.save()
    client.force_login(coordinator)
    client.post(transition_url(lesson, "return"), {"note": "Say which municipalities."})
    assert Lesson.objects.get(pk=lesson.pk).status == Status.DRAFT

    url = reverse("lessons:lesson_history", args=[lesson.pk])
    assert find(client.get(lesson.get_absolute_url()), "a", href=url)
    page = text(client.get(url))
    assert "Title: Care at home → Care at home, with the families" in page
    assert "Status: In review → Draft" in page
    assert "Why: Say which municipalities." in page


def test_the_history_is_for_signed_in_readers(client, demo):
    lesson = new_lesson("Care at home")
    url = reverse("lessons:lesson_history", args=[lesson.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    assert not find(client.get(lesson.get_absolute_url()), "a", href=url)
