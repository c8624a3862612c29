"""
Every form that edits something existing refuses a stale submission (core.concurrency): two
tabs show the same page, the first saves, the second is refused with the shared message and
the first one's change stays. The pages are enumerated from the URLconf, so a new page must be
classified here — as an editing form (and then it is tested), a form that creates, a button
that acts on the current state, or a page that only reads.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from core.concurrency import STALE_MESSAGE
from countries.models import Actor, Country, Person
from lessons import demo as lessons_demo
from lessons.models import Lesson
from tests.support.html import find, form_data, text, two_changes
from visits.methodology import workflow
from visits.methodology.models import MethodologyVersion
from visits.models import Evaluation, Finding, Visit

PLANNED = "Care in rural territories"  # the demo's planned visit: UY hosts PY, BR and CO


def _planned():
    return Visit.objects.get(title=PLANNED)


def _delegation(code):
    return _planned().delegations.get(country__code=code)


def _participant(code):
    return _delegation(code).participants.order_by("pk").first()


def _draft_version():
    version = MethodologyVersion.objects.get(status=MethodologyVersion.Status.CONSULTATION)
    coordinator = get_user_model().objects.get(username="coordinator")
    workflow.return_to_draft(version, coordinator, "Edited in two tabs.")
    return version


def _finding():
    delegation = _delegation("PY")
    return Finding.objects.create(
        visit=delegation.visit,
        delegation=delegation,
        kind=Finding.Kind.BEST_PRACTICE,
        title="Community caregivers",
        text="Seen in the field.",
    )


def _evaluation():
    ratings = dict.fromkeys(Evaluation.DIMENSIONS, 4)
    return Evaluation.objects.create(participant=_participant("PY"), **ratings)


def _recommendation():
    return Finding.objects.filter(
        kind=Finding.Kind.RECOMMENDATION,
        visit__status=Visit.Status.CLOSED,
        visit__host_country__code="UY",
    ).first()


def _lesson():
    lessons_demo.load()
    return Lesson.objects.order_by("pk").first()


def _actors_of_first_delegation(fields):
    """Two different sets of actors of the first visiting delegation's country."""
    (country,) = fields["delegations-0-country"]
    ids = [str(pk) for pk in Actor.objects.filter(country=country).values_list("pk", flat=True)]
    return ids[:2], [ids[0], ids[2]]


# url name: (user, URL arguments, field (a name, or the end of a formset's field name),
#            fixed values, the two changes when the field's own options do not give them)
EDITING = {
    "countries:country_update": (
        "projectteam", lambda: {"code": "PY"}, "programme_role", {}, None
    ),
    "countries:actor_update": (
        "projectteam", lambda: {"pk": Actor.objects.get(country__code="PY", is_partner=True).pk},
        "name", {}, None,
    ),
    "countries:person_update": (
        "projectteam", lambda: {"pk": Person.objects.filter(actor__country__code="PY")[0].pk},
        "position", {}, None,
    ),
    "methodology:version_update": (
        "coordinator", lambda: {"number": _draft_version().number}, "summary", {}, None
    ),
    "methodology:criterion_update": (
        "coordinator",
        lambda: {"number": (v := _draft_version()).number, "pk": v.criteria.first().pk},
        "title", {}, None,
    ),
    "methodology:answer": (
        "staff-py",
        lambda: {"number": MethodologyVersion.objects.get(status="consultation").number},
        "comment", {"answer": ["agree_with_comments"]}, None,
    ),
    "visits:visit_update": ("coordinator", lambda: {"pk": _planned().pk}, "title", {}, None),
    "visits:delegations": (
        "coordinator", lambda: {"pk": _planned().pk}, "delegations-0-actors", {},
        _actors_of_first_delegation,
    ),
    "visits:participants": (
        "staff-py",
        lambda: {"pk": _planned().pk, "delegation_id": _delegation("PY").pk},
        "-0-role", {}, None,
    ),
    "visits:agenda_edit": ("coordinator", lambda: {"pk": _planned().pk}, "-0-title", {}, None),
    "visits:finding_update": (
        "staff-py",
        lambda: {"pk": (f := _finding()).visit_id, "finding_id": f.pk},
        "title", {}, None,
    ),
    "visits:finding_follow_up": (
        "staff-uy",
        lambda: {"pk": (f := _recommendation()).visit_id, "finding_id": f.pk},
        "host_response", {}, None,
    ),
    "visits:evaluation": (
        "staff-py",
        lambda: {"pk": _planned().pk, "participant_id": _evaluation().participant_id},
        "comments", {}, None,
    ),
    "visits:budget": ("coordinator", lambda: {"pk": _planned().pk}, "-0-description", {}, None),
    "visits:compliance": ("coordinator", lambda: {"pk": _planned().pk}, "-0-status", {}, None),
    "lessons:lesson_update": (
        "coordinator", lambda: {"pk": _lesson().pk}, "title", {}, None
    ),
}  # fmt: skip

# Forms that create something new: two tabs make two things, nothing is overwritten (a
# second one that would break a unique rule is refused by that rule's own message).
CREATING = {
    "countries:country_create", "countries:actor_create", "countries:person_create",
    "methodology:propose", "methodology:version_create", "methodology:criterion_create",
    "methodology:comment", "visits:visit_create", "visits:finding_create",
    "visits:attachment_upload", "lessons:lesson_create", "lessons:lesson_import",
    "reports:job_list",
}  # fmt: skip

# Buttons that act on the current state, which they check again when they run: a second
# click on a stale page is refused by that rule (a transition no longer allowed, a version no
# longer in draft), never applied over somebody else's change.
ACTING = {
    "methodology:proposal_accept", "methodology:criterion_retire", "methodology:criterion_move",
    "methodology:open_consultation", "methodology:adopt", "methodology:send_reminder",
    "methodology:return_to_draft",
    "methodology:restore", "visits:attachment_delete", "visits:transition", "visits:restore",
    "lessons:lesson_transition", "reports:job_retry", "set_language",
    # Django's account forms: a sign-in, a new password (each replaces the secret itself).
    "login", "logout", "password_change", "password_reset", "password_reset_confirm",
    # A user's own settings and links: each save states all of them anew, for that user only.
    "notifications:read_all", "notifications:settings", "calendar:feed_settings",
    "calendar:feed_renew",
}  # fmt: skip

# Pages that only show (their forms, if any, are searches sent with GET).
READING = {
    "home", "healthz", "password_change_done", "password_reset_done",
    "password_reset_complete", "countries:country_list", "countries:actor_list",
    "countries:actor_detail", "countries:person_list", "countries:person_detail",
    "countries:country_detail", "methodology:adopted", "methodology:version_list",
    "methodology:version_detail", "methodology:history", "visits:visit_list",
    "visits:programme_figures", "visits:recommendations", "visits:visit_detail",
    "visits:agenda", "visits:agenda_ics", "visits:attachment_download", "visits:history",
    "lessons:lesson_list", "lessons:lesson_detail", "lessons:lesson_export",
    "lessons:lesson_history",
    "reports:job_detail", "reports:job_download", "notifications:inbox", "notifications:open",
    "calendar:feed",
}  # fmt: skip


def _site_url_names(resolver=None, namespace=""):
    """Every named URL of the site, the admin aside (tests/core/test_admin_stale_forms.py)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _site_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}"


def test_every_page_of_the_site_is_classified_once():
    kinds = [EDITING.keys(), CREATING, ACTING, READING]
    names = set(_site_url_names())
    unclassified = {n for n in names if sum(n in kind for kind in kinds) != 1}
    assert not unclassified, f"classify these pages in {__name__}: {sorted(unclassified)}"
    assert set().union(*kinds) <= names, "pages listed here that the URLconf no longer has"


def _field_name(response, field):
    names = [
        attrs["name"]
        for tag in ("input", "select", "textarea")
        for attrs in find(response, tag)
        if attrs.get("name", "") == field or attrs.get("name", "").endswith(field)
    ]
    assert names, f"the page has no field {field!r}"
    return names[0]


def _stale_message(response):
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return str(STALE_MESSAGE)


@pytest.mark.parametrize("url_name", sorted(EDITING))
def test_every_editing_form_refuses_a_stale_submission(client, demo_visits, url_name):
    username, arguments, field, fixed, changes = EDITING[url_name]
    url = reverse(url_name, kwargs=arguments())
    client.force_login(get_user_model().objects.get(username=username))
    first_tab, second_tab = client.get(url), client.get(url)
    assert first_tab.status_code == second_tab.status_code == 200
    name = _field_name(first_tab, field)
    first, choices = form_data(first_tab, name)
    second, _ = form_data(second_tab, name)
    assert "revision" in first or "state" in first, "the form carries no revision"
    first_change, second_change = (changes or two_changes)(
        *([first] if changes else [first, choices, name])
    )

    saved = client.post(url, {**first, **fixed, name: first_change})
    assert saved.status_code == 302, text(saved)

    refused = client.post(url, {**second, **fixed, name: second_change})
    assert refused.status_code == 200
    assert _stale_message(refused) in text(refused)
    now, _ = form_data(client.get(url), name)
    assert now[name] == first_change, "the stale submission overwrote the first one"


def test_the_refused_form_keeps_what_was_typed(client, demo_visits, projectteam):
    actor = Actor.objects.get(country__code="PY", is_partner=True)
    url = reverse("countries:actor_update", kwargs={"pk": actor.pk})
    client.force_login(projectteam)
    first, _ = form_data(client.get(url), "name")
    second, _ = form_data(client.get(url), "name")
    client.post(url, {**first, "name": "Saved first"})
    refused = client.post(url, {**second, "name": "Typed in the second tab"})
    kept, _ = form_data(refused, "name")
    assert kept["name"] == ["Typed in the second tab"]
    # Sent again after comparing, it deliberately replaces the current version.
    assert client.post(url, kept).status_code == 302
    assert Actor.objects.get(pk=actor.pk).name == "Typed in the second tab"


def test_countries_that_did_not_change_are_not_refused(client, demo_visits, projectteam):
    """The check is per object: saving one country does not make another's form stale."""
    client.force_login(projectteam)
    py, uy = (reverse("countries:country_update", kwargs={"code": c}) for c in ("PY", "UY"))
    shown = [(url, form_data(client.get(url), "programme_role")[0]) for url in (py, uy)]
    for url, fields in shown:
        assert client.post(url, fields).status_code == 302
    assert Country.objects.get(code="UY").revision == 2
