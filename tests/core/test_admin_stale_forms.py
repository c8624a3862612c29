"""
The admin's change pages of objects with a revision refuse a stale submission like the site's
forms (core.admin.RevisionCheckedAdminMixin). Enumerated from the admin's registry: a newly
registered model is either checked or listed below with the reason.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from core.admin import RevisionCheckedAdminMixin
from core.concurrency import STALE_MESSAGE, RevisionedModel
from lessons import demo as lessons_demo
from lessons.models import Lesson
from tests.support.html import form_data, text, two_changes

# The field each check changes, per model with a revision.
CHANGED_FIELD = {
    "countries.Country": "programme_role",
    "countries.Actor": "name",
    "countries.Person": "position",
    "visits.MethodologyVersion": "summary",
    "visits.Criterion": "title",
    "visits.Endorsement": "comment",
    "visits.Visit": "title",
    "visits.Finding": "title",
    "visits.Evaluation": "comments",
    "lessons.Lesson": "title",
}

# Registered models without a revision, and why a stale admin form loses nothing that matters.
WITHOUT_REVISION = {
    "auth.Group": "Django's own; groups are not used for the project's roles",
    "auth.User": "Django's own account form; roles are memberships, with their history",
    "axes.AccessAttempt": "sign-in records written by django-axes, deleted to unlock",
    "axes.AccessLog": "sign-in records written by django-axes",
    "axes.AccessFailureLog": "sign-in records written by django-axes",
    "countries.Membership": "a role given or taken, one field; every change is in its history",
    "visits.ConsultationComment": "written once by its author on the consultation page",
    "visits.Delegation": "edited on the visit's delegations page, which is stale-safe",
    "visits.BudgetLine": "edited on the visit's budget page, which is stale-safe",
    "visits.ComplianceCheck": "edited on the visit's checklist page, which is stale-safe",
    "visits.Attachment": "a file uploaded once; replaced by uploading another",
    "lessons.SDG": "reference list loaded with the demo and the imports",
    "lessons.AddedValue": "reference list loaded with the demo and the imports",
    "lessons.Phase": "reference list loaded with the demo and the imports",
    "reports.ReportJob": "written by the workers; the admin only reads and deletes jobs",
}


def test_every_registered_model_is_checked_or_explained():
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if issubclass(model, RevisionedModel):
            assert isinstance(model_admin, RevisionCheckedAdminMixin), label
            assert label in CHANGED_FIELD, f"add {label} to CHANGED_FIELD"
        else:
            assert label in WITHOUT_REVISION, f"{label}: give it a revision or a reason here"
    registered = {model._meta.label for model in admin.site._registry}
    assert set(CHANGED_FIELD) | set(WITHOUT_REVISION) == registered


@pytest.fixture
def root(django_user_model, demo_visits):
    lessons_demo.load()
    return django_user_model.objects.create_superuser("root", "root@example.org", "x")


@pytest.mark.parametrize("label", sorted(CHANGED_FIELD))
def test_a_stale_admin_form_is_refused(client, root, label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    obj = model._default_manager.order_by("pk").first()
    name = CHANGED_FIELD[label]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    client.force_login(root)
    first, choices = form_data(client.get(url), name)
    second, _ = form_data(client.get(url), name)
    first_change, second_change = two_changes(first, choices, name)

    saved = client.post(url, {**first, name: first_change})
    assert saved.status_code == 302, text(saved)
    refused = client.post(url, {**second, name: second_change})

    assert refused.status_code == 200
    with translation.override(refused.wsgi_request.LANGUAGE_CODE):
        assert str(STALE_MESSAGE) in text(refused)
    now, _ = form_data(client.get(url), name)
    assert now[name] == first_change


def test_restoring_a_past_version_in_the_admin_is_not_refused(client, root):
    """The restore page shows a past version; it is checked against the saved revision."""
    lesson = Lesson.objects.order_by("pk").first()
    client.force_login(root)
    url = reverse("admin:lessons_lesson_change", args=[lesson.pk])
    fields, _ = form_data(client.get(url), "title")
    assert client.post(url, {**fields, "title": "Renamed"}).status_code == 302
    past = lesson.history.order_by("history_date").first()
    restore = reverse("admin:lessons_lesson_simple_history", args=[lesson.pk, past.history_id])
    fields, _ = form_data(client.get(restore), "title")
    assert client.post(restore, fields).status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).title == lesson.title
