"""The methodology pages as a browser sees them, through the Django test client.

Demo data: version 1 adopted with 15 criteria; version 2 in consultation (PREP-01 changed,
PREP-04 added) with answers from Uruguay, Paraguay (agree), Chile (agree with comments) and
Colombia (object); Brazil and Costa Rica have not answered.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.concurrency import STALE_MESSAGE
from countries.models import Actor, Country, Membership
from tests.support.html import find, input_value, text
from visits.methodology import workflow as services
from visits.methodology.models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    Phase,
)

User = get_user_model()
Status = MethodologyVersion.Status
Answer = Endorsement.Answer

CODE = re.compile(r"\b[A-Z]{2,6}-\d{2,3}\b")
CHILE = "Chile agrees; interpretation should also cover the documents shared in advance."
COLOMBIA = (
    "A half-day is too short for vice-ministers to see a service at work: Colombia asks to "
    "keep the option of one full day for high-level officials."
)


class _Selected(HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.values = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._inside = attrs.get("name") == self.name
        elif tag == "option" and self._inside and "selected" in attrs:
            self.values.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._inside = False


def selected(response, name):
    """The value of the selected option of <select name=...>."""
    parser = _Selected(name)
    parser.feed(response.content.decode())
    parser.close()
    (value,) = parser.values
    return value


class _Elements(HTMLParser):
    def __init__(self, tag):
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.found = []  # (attrs, [text parts])
        self._open = []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag:
            entry = (dict(attrs), [])
            self.found.append(entry)
            self._open.append(entry)

    def handle_endtag(self, tag):
        if tag == self.tag and self._open:
            self._open.pop()

    def handle_data(self, data):
        for _attrs, parts in self._open:
            parts.append(data)


def elements(response, tag):
    """(attrs, text) of every ``tag`` element of the page, its text with spaces collapsed."""
    parser = _Elements(tag)
    parser.feed(response.content.decode())
    parser.close()
    return [(attrs, " ".join(" ".join(parts).split())) for attrs, parts in parser.found]


def with_class(response, tag, css_class):
    return [
        content
        for attrs, content in elements(response, tag)
        if css_class in attrs.get("class", "").split()
    ]


def version(number):
    return MethodologyVersion.objects.get(number=number)


def criterion(number, code):
    return Criterion.objects.get(version__number=number, code=code)


def user(username):
    return User.objects.get(username=username)


def version_url(number):
    return reverse("methodology:version_detail", args=[number])


def in_future(days=14):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def only_v1(demo):
    """The demo without its version 2: version 1 adopted, nothing in progress."""
    MethodologyVersion.objects.filter(number=2).delete()


@pytest.fixture
def draft(only_v1, coordinator):
    """Version 2, drafted from the adopted version 1."""
    return services.draft_new_version(coordinator)


# --- the adopted methodology ----------------------------------------------------------------


def test_adopted_page_groups_criteria_by_phase(client, staff_py):
    client.force_login(staff_py)
    response = client.get(reverse("methodology:adopted"))
    assert response.status_code == 200

    phases = [
        content
        for attrs, content in elements(response, "section")
        if attrs.get("aria-labelledby", "").startswith("phase-")
    ]
    labels = [str(label) for label in Phase.labels]
    assert [next(lb for lb in labels if content.startswith(lb)) for content in phases] == labels
    assert [CODE.findall(content) for content in phases] == [
        ["PLAN-01", "PLAN-02", "PLAN-03", "PLAN-04"],
        ["PREP-01", "PREP-02", "PREP-03"],
        ["COND-01", "COND-02", "COND-03"],
        ["SYST-01", "SYST-02", "SYST-03"],
        ["FOLL-01", "FOLL-02"],
    ]
    page = text(response)
    assert "Version 1, jointly agreed by the partner countries" in page
    assert criterion(1, "PREP-01").text in page
    assert criterion(2, "PREP-01").text not in page  # version 2 is not adopted
    assert "PREP-04" not in page
    # Criteria are edited in drafts, not here.
    assert not [a for a in find(response, "a") if "/criteria/" in a.get("href", "")]
    assert not [f for f in find(response, "form") if "/criteria/" in f.get("action", "")]


def test_adopted_page_without_adopted_version(client, staff_py):
    MethodologyVersion.objects.filter(number=1).update(status=Status.SUPERSEDED)
    client.force_login(staff_py)
    response = client.get(reverse("methodology:adopted"))
    assert "No version of the methodology has been adopted yet." in text(response)


def test_version_list(client, projectteam):
    client.force_login(projectteam)
    response = client.get(reverse("methodology:version_list"))
    rows = [content for _attrs, content in elements(response, "tr")][1:]
    assert len(rows) == 2
    assert rows[0].startswith("Methodology version 2 In consultation")
    assert rows[1].startswith("Methodology version 1 Adopted")
    assert rows[1].endswith(date_format(timezone.localtime(version(1).adopted_at), "DATE_FORMAT"))


# --- the version page: board, blockers, diff ------------------------------------------------


def board(response):
    """{country: text of its row} of the consultation board, in page order."""
    names = [c.name for c in Country.objects.filter(programme_role="partner")]
    rows = {}
    for _attrs, content in elements(response, "tr"):
        name = next((n for n in names if content.startswith(n)), None)
        if name:
            rows[name] = content[len(name) :].strip()
    return rows


def test_board_shows_every_partner_country(client, coordinator):
    client.force_login(coordinator)
    response = client.get(version_url(2))
    assert response.status_code == 200

    rows = board(response)
    assert list(rows) == ["Brazil", "Chile", "Colombia", "Costa Rica", "Paraguay", "Uruguay"]
    assert rows["Brazil"] == "No answer yet"
    assert rows["Costa Rica"] == "No answer yet"

    def given(code):
        answer = Endorsement.objects.get(version__number=2, country__code=code)
        return date_format(timezone.localtime(answer.given_at), "SHORT_DATE_FORMAT")

    assert rows["Chile"] == (
        f"Agree with comments {CHILE} PREP-04: Include the translation of the background "
        f"note (PREP-03). Felipe Muñoz {given('CL')}"
    )
    assert rows["Colombia"] == (
        f"Object {COLOMBIA} PREP-01: Keep “at most one day” and add the remote option. "
        f"Natalia Castaño {given('CO')}"
    )
    assert rows["Paraguay"] == f"Agree María José Giménez {given('PY')}"
    assert rows["Uruguay"] == f"Agree Martín Fernández {given('UY')}"


def test_board_of_a_draft_is_not_shown(client, coordinator, draft):
    client.force_login(coordinator)
    response = client.get(version_url(2))
    assert "Answers of the partner countries" not in text(response)
    assert board(response) == {}


def test_blockers_name_missing_and_objecting_countries(client, staff_py):
    client.force_login(staff_py)
    response = client.get(version_url(2))
    (blockers,) = [
        content
        for content in with_class(response, "div", "alert-warning")
        if "cannot be adopted" in content
    ]
    assert blockers == (
        f"The version cannot be adopted yet. No answer yet from: Brazil, Costa Rica. "
        f"Colombia objects: {COLOMBIA}"
    )


def test_no_blockers_once_every_country_agrees(client, coordinator):
    for code in ("BR", "CR"):
        services.answer_consultation(
            version(2), Country.objects.get(code=code), user(f"staff-{code.lower()}"), "agree"
        )
    services.answer_consultation(
        version(2), Country.objects.get(code="CO"), user("staff-co"), "agree", expected_revision=1
    )
    client.force_login(coordinator)
    page = text(client.get(version_url(2)))
    assert "The version cannot be adopted yet." not in page
    assert "Every partner country has answered and no objection stands" in page


def test_diff_against_the_previous_version(client, staff_uy):
    client.force_login(staff_uy)
    response = client.get(version_url(2))

    added = with_class(response, "div", "change-added")
    changed = with_class(response, "div", "change-changed")
    assert with_class(response, "div", "change-removed") == []
    assert [CODE.findall(content)[0] for content in added] == ["PREP-04"]
    assert [CODE.findall(content)[0] for content in changed] == ["PREP-01"]
    assert added[0].startswith("Added PREP-04 Interpretation planned")
    assert changed[0].startswith("Changed PREP-01 An agenda that spares high-level officials' time")

    deleted = " ".join(content for _attrs, content in elements(response, "del"))
    inserted = " ".join(content for _attrs, content in elements(response, "ins"))
    assert "dedicated sessions" in deleted
    assert "remotely;" in inserted
    assert criterion(2, "PREP-04").text in inserted
    assert "technical teams carry the rest" not in deleted + inserted  # unchanged words


# --- answering --------------------------------------------------------------------------------


def test_answer_form_shows_the_current_answer(client, demo):
    client.force_login(user("staff-co"))
    response = client.get(reverse("methodology:answer", args=[2]))
    assert response.status_code == 200

    assert "Current answer of Colombia: Object (Natalia Castaño" in text(response)
    (objection,) = find(response, "input", name="answer", value="object")
    assert "checked" in objection
    assert all(
        "checked" not in choice
        for choice in find(response, "input", name="answer")
        if choice["value"] != "object"
    )
    assert input_value(response, "revision") == "1"
    assert input_value(response, "country") == str(Country.objects.get(code="CO").pk)
    textareas = {attrs["name"]: content for attrs, content in elements(response, "textarea")}
    assert textareas["comment"] == COLOMBIA
    prep_01 = criterion(2, "PREP-01")
    assert (
        textareas[f"criterion_{prep_01.pk}"] == "Keep “at most one day” and add the remote option."
    )
    assert textareas[f"criterion_{criterion(2, 'PREP-04').pk}"] == ""


def test_answer_form_of_a_country_without_answer(client, staff_br):
    client.force_login(staff_br)
    response = client.get(reverse("methodology:answer", args=[2]))
    assert "Current answer" not in text(response)
    assert all("checked" not in choice for choice in find(response, "input", name="answer"))
    assert input_value(response, "revision") == "0"


def test_answering(client, staff_br):
    client.force_login(staff_br)
    url = reverse("methodology:answer", args=[2])
    prep_04 = criterion(2, "PREP-04")
    response = client.post(
        url,
        {
            "country": Country.objects.get(code="BR").pk,
            "answer": Answer.AGREE_WITH_COMMENTS,
            "comment": "",
            f"criterion_{prep_04.pk}": "Incluir o português.",
            "revision": "0",
        },
        follow=True,
    )
    assert response.redirect_chain == [(version_url(2), 302)]
    assert messages_of(response) == [
        "The answer of Brazil is recorded. You can change it until the consultation closes."
    ]
    assert board(response)["Brazil"].startswith(
        "Agree with comments PREP-04: Incluir o português. Ana Paula Souza"
    )


def test_an_objection_without_reason_is_refused_in_the_form(client, staff_br):
    client.force_login(staff_br)
    response = client.post(
        reverse("methodology:answer", args=[2]),
        {"country": Country.objects.get(code="BR").pk, "answer": "object", "revision": "0"},
    )
    assert response.status_code == 200
    assert "An objection needs a reason" in text(response)
    assert not Endorsement.objects.filter(version__number=2, country__code="BR").exists()


def answer_data(response, **changes):
    """The data the answer form on the page would send, with the user's changes."""
    data = {
        "country": input_value(response, "country"),
        "revision": input_value(response, "revision"),
        "answer": next(
            (c["value"] for c in find(response, "input", name="answer") if "checked" in c), ""
        ),
    }
    data.update({attrs["name"]: content for attrs, content in elements(response, "textarea")})
    data.update(changes)
    return data


def test_a_stale_answer_is_refused_and_keeps_what_was_typed(client, staff_py):
    client.force_login(staff_py)
    url = reverse("methodology:answer", args=[2])
    first_tab, second_tab = client.get(url), client.get(url)
    assert input_value(first_tab, "revision") == input_value(second_tab, "revision") == "1"

    saved = client.post(
        url,
        answer_data(first_tab, answer="agree_with_comments", comment="Add the remote option."),
    )
    assert saved.status_code == 302

    refused = client.post(
        url, answer_data(second_tab, answer="object", comment="Paraguay objects to PREP-04.")
    )

    assert refused.status_code == 200
    page = text(refused)
    assert str(STALE_MESSAGE) in page
    # Beside the current answer, the form still holds what was typed.
    assert "Current answer of Paraguay: Agree with comments" in page
    textareas = {attrs["name"]: content for attrs, content in elements(refused, "textarea")}
    assert textareas["comment"] == "Paraguay objects to PREP-04."
    (objection,) = find(refused, "input", name="answer", value="object")
    assert "checked" in objection
    # Nothing was overwritten.
    paraguay = Endorsement.objects.get(version__number=2, country__code="PY")
    assert (paraguay.answer, paraguay.comment, paraguay.revision) == (
        Answer.AGREE_WITH_COMMENTS,
        "Add the remote option.",
        2,
    )

    # Having seen the current answer, the focal point sends the form again: it now replaces it.
    assert input_value(refused, "revision") == "2"
    assert client.post(url, answer_data(refused)).status_code == 302
    paraguay.refresh_from_db()
    assert (paraguay.answer, paraguay.comment, paraguay.revision) == (
        Answer.OBJECT,
        "Paraguay objects to PREP-04.",
        3,
    )


def test_answers_are_closed_outside_consultation(client, staff_py, coordinator):
    services.return_to_draft(version(2), coordinator, "Rework.")
    client.force_login(staff_py)
    response = client.get(reverse("methodology:answer", args=[2]), follow=True)
    assert response.redirect_chain == [(version_url(2), 302)]
    assert messages_of(response) == ["Version 2 is not in consultation: answers are closed."]


# --- editing criteria -------------------------------------------------------------------------


def form_data(response, **changes):
    """The data the criterion form on the page would send, with the user's changes."""
    data = {"revision": input_value(response, "revision")}
    for name in ("code", "title"):
        data[name] = input_value(response, name)
    data.update({attrs["name"]: content for attrs, content in elements(response, "textarea")})
    data["phase"] = selected(response, "phase")
    data.update(changes)
    return data


def test_a_stale_criterion_edit_is_refused_and_keeps_the_input(client, coordinator, draft):
    client.force_login(coordinator)
    plan_01 = draft.criteria.get(code="PLAN-01")
    url = reverse("methodology:criterion_update", args=[2, plan_01.pk])
    first_tab, second_tab = client.get(url), client.get(url)
    assert input_value(first_tab, "revision") == "1"

    assert (
        client.post(url, form_data(first_tab, title="Objectives agreed by all")).status_code == 302
    )
    refused = client.post(url, form_data(second_tab, title="Objectives written down together"))

    assert refused.status_code == 200
    assert "Somebody else saved this in the meantime. Your changes were not saved" in text(refused)
    assert input_value(refused, "title") == "Objectives written down together"
    plan_01.refresh_from_db()
    assert (plan_01.title, plan_01.revision) == ("Objectives agreed by all", 2)


def test_a_stale_summary_is_refused_and_keeps_the_input(client, coordinator, draft):
    client.force_login(coordinator)
    url = reverse("methodology:version_update", args=[2])
    first_tab, second_tab = client.get(url), client.get(url)
    revision = input_value(first_tab, "revision")
    assert client.post(url, {"summary": "First.", "revision": revision}).status_code == 302

    refused = client.post(url, {"summary": "Second.", "revision": revision})

    assert refused.status_code == 200
    assert "Somebody else saved this in the meantime." in text(refused)
    assert [content for attrs, content in elements(refused, "textarea")] == ["Second."]
    assert version(2).summary == "First."
    assert input_value(second_tab, "revision") == revision


def test_a_duplicate_code_is_refused_in_the_form(client, coordinator, draft):
    client.force_login(coordinator)
    response = client.post(
        reverse("methodology:criterion_create", args=[2]),
        {"code": "PLAN-02", "phase": "planning", "title": "Twin", "text": "Twin.", "revision": 0},
    )
    assert response.status_code == 200
    assert "Version 2 already has a criterion PLAN-02." in text(response)
    assert draft.criteria.filter(code="PLAN-02").count() == 1


def test_criteria_of_a_version_in_consultation_are_not_edited(client, coordinator):
    client.force_login(coordinator)
    prep_01 = criterion(2, "PREP-01")
    url = reverse("methodology:criterion_update", args=[2, prep_01.pk])
    response = client.post(
        url,
        {"code": "PREP-01", "phase": "preparation", "title": "X", "text": "X", "revision": 1},
        follow=True,
    )
    assert response.redirect_chain == [(version_url(2), 302)]
    assert messages_of(response) == [
        "Version 2 is in consultation: its criteria can no longer change."
    ]
    prep_01.refresh_from_db()
    assert prep_01.title == "An agenda that spares high-level officials' time"


# --- the coordinator's whole consultation ---------------------------------------------------


def test_the_whole_consultation(
    client, only_v1, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    client.force_login(coordinator)

    # Draft a new version from the adopted one.
    response = client.post(reverse("methodology:version_create"), follow=True)
    assert response.redirect_chain == [(version_url(2), 302)]
    assert messages_of(response)[0].startswith("Version 2 was drafted from the adopted version.")
    assert version(2).status == Status.DRAFT

    # Change a criterion and add one.
    prep_01 = criterion(2, "PREP-01")
    edit_url = reverse("methodology:criterion_update", args=[2, prep_01.pk])
    new_text = "High-level officials join one half-day session, also remotely."
    assert client.post(edit_url, form_data(client.get(edit_url), text=new_text)).status_code == 302
    response = client.post(
        reverse("methodology:criterion_create", args=[2]),
        {
            "code": "prep-04",
            "phase": "preparation",
            "title": "Interpretation planned",
            "text": "The plan budgets interpretation for every session.",
            "revision": 0,
        },
    )
    assert response.status_code == 302
    assert [c.code for c in version(2).criteria.filter(phase="preparation")] == [
        "PREP-01",
        "PREP-02",
        "PREP-03",
        "PREP-04",
    ]

    # Open the consultation: every focal point is told by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("methodology:open_consultation", args=[2]), {"deadline": in_future()}
        )
    assert response.status_code == 302
    assert version(2).status == Status.CONSULTATION
    assert len(mail.outbox) == 6

    # Six focal points answer; Colombia objects, then withdraws its objection.
    answer_url = reverse("methodology:answer", args=[2])
    for code in ("BR", "CL", "CO", "CR", "PY", "UY"):
        client.force_login(user(f"staff-{code.lower()}"))
        data = answer_data(client.get(answer_url), answer="agree")
        if code == "CO":
            data.update(answer="object", comment="Keep one full day.")
        assert client.post(answer_url, data).status_code == 302

    client.force_login(coordinator)
    page = client.get(version_url(2))
    assert "Colombia objects: Keep one full day." in text(page)
    assert not find(page, "a", href=reverse("methodology:adopt", args=[2]))
    refused = client.post(reverse("methodology:adopt", args=[2]), {"confirm": "on"}, follow=True)
    assert "Colombia objects: Keep one full day." in messages_of(refused)[0]
    assert version(2).status == Status.CONSULTATION

    client.force_login(user("staff-co"))
    data = answer_data(client.get(answer_url), answer="agree", comment="")
    assert data["revision"] == "1"
    assert client.post(answer_url, data).status_code == 302

    # Adopt: version 1 is superseded.
    client.force_login(coordinator)
    assert find(client.get(version_url(2)), "a", href=reverse("methodology:adopt", args=[2]))
    response = client.post(reverse("methodology:adopt", args=[2]), {"confirm": "on"}, follow=True)
    assert messages_of(response)[0].startswith(
        "Version 2 is adopted: every partner country agreed."
    )
    assert (version(1).status, version(2).status) == (Status.SUPERSEDED, Status.ADOPTED)
    assert version(2).adopted_by == coordinator

    # The adopted page shows the new text; the version page the change.
    adopted = text(client.get(reverse("methodology:adopted")))
    assert "Version 2, jointly agreed" in adopted and new_text in adopted
    page = client.get(version_url(2))
    assert [CODE.findall(c)[0] for c in with_class(page, "div", "change-changed")] == ["PREP-01"]
    assert [CODE.findall(c)[0] for c in with_class(page, "div", "change-added")] == ["PREP-04"]
    assert "remotely." in " ".join(content for _a, content in elements(page, "ins"))


def test_return_to_draft_with_a_note(client, coordinator):
    client.force_login(coordinator)
    url = reverse("methodology:return_to_draft", args=[2])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert version(2).status == Status.CONSULTATION

    response = client.post(url, {"note": "Colombia's objection needs work."}, follow=True)
    assert messages_of(response) == ["The version is back to draft."]
    assert "Returned to draft: Colombia's objection needs work." in text(response)
    assert version(2).status == Status.DRAFT
    # The answers of round 1 stay on the page of the draft until the next round opens.
    assert board(response)["Colombia"].startswith(f"Object {COLOMBIA}")


def test_opening_with_a_past_deadline_is_refused_in_the_form(client, coordinator, draft):
    client.force_login(coordinator)
    response = client.post(
        reverse("methodology:open_consultation", args=[2]),
        {"deadline": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "The deadline must be a day in the future." in text(response)
    assert version(2).status == Status.DRAFT


# --- history --------------------------------------------------------------------------------


def history_rows(response):
    """The entries of the criteria's history."""
    return [
        content
        for attrs, content in elements(response, "li")
        if "criterion-change" in attrs.get("class", "")
    ]


def test_history_lists_changes_and_restores_a_retired_criterion(client, coordinator, draft):
    client.force_login(coordinator)
    plan_03 = draft.criteria.get(code="PLAN-03")
    edit_url = reverse(
        "methodology:criterion_update", args=[2, draft.criteria.get(code="PLAN-01").pk]
    )
    client.post(
        edit_url, form_data(client.get(edit_url), title="Objectives agreed by all"), follow=True
    )
    response = client.post(
        reverse("methodology:criterion_retire", args=[2, plan_03.pk]), follow=True
    )
    assert messages_of(response) == ["Criterion PLAN-03 retired."]
    assert not draft.criteria.filter(code="PLAN-03").exists()

    history = client.get(reverse("methodology:history", args=[2]))
    rows = history_rows(history)
    assert "Retired: PLAN-03 A focus the visitors need" in rows[0]
    assert "Changed: PLAN-01 Objectives agreed by all" in rows[1]
    assert "→ Objectives agreed by all" in rows[1]  # the title before and after
    assert "Giulia Bianchi" in rows[0]
    assert sum("Created" in row for row in rows) == 15

    created = Criterion.history.get(id=plan_03.pk, history_type="+")
    restore_url = reverse("methodology:restore", args=[2, created.history_id])
    assert find(history, "form", action=restore_url)
    response = client.post(restore_url, follow=True)
    assert response.redirect_chain == [(version_url(2), 302)]
    assert messages_of(response)[0].startswith("Criterion PLAN-03 restored as it was on ")

    restored = draft.criteria.get(code="PLAN-03")
    assert restored.pk == plan_03.pk
    assert restored.derived_from == criterion(1, "PLAN-03")
    assert "removed" not in [c.kind for c in services.compare_versions(version(2))]


def test_restore_an_earlier_state_of_an_edited_criterion(client, coordinator, draft):
    client.force_login(coordinator)
    plan_01 = draft.criteria.get(code="PLAN-01")
    edit_url = reverse("methodology:criterion_update", args=[2, plan_01.pk])
    open_form = client.get(edit_url)
    client.post(edit_url, form_data(open_form, title="Objectives agreed by all"))

    created = Criterion.history.get(id=plan_01.pk, history_type="+")
    client.post(reverse("methodology:restore", args=[2, created.history_id]))

    plan_01.refresh_from_db()
    assert plan_01.title == "Objectives defined jointly by host and visitors"
    assert plan_01.revision == 3
    # A form opened before the restore is stale.
    response = client.post(edit_url, form_data(open_form, title="Old tab"))
    assert response.status_code == 200
    plan_01.refresh_from_db()
    assert plan_01.title == "Objectives defined jointly by host and visitors"


def test_restore_refused_outside_a_draft(client, coordinator):
    client.force_login(coordinator)
    record = Criterion.history.filter(id=criterion(2, "PREP-01").pk).first()
    response = client.post(reverse("methodology:restore", args=[2, record.history_id]), follow=True)
    assert messages_of(response) == [
        "Version 2 is in consultation: only a draft version can be changed."
    ]


# --- the focal points' dashboard --------------------------------------------------------------


def consultations(response):
    return [
        content
        for attrs, content in elements(response, "section")
        if "consultations-heading" == attrs.get("aria-labelledby")
    ]


def test_dashboard_of_a_focal_point_whose_country_answered(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/")
    (section,) = consultations(response)
    assert section.startswith("Open consultations on the methodology Methodology version 2")
    assert "Paraguay: Agree" in section
    assert "not answered" not in section
    assert find(response, "a", href=version_url(2))


def test_dashboard_of_a_focal_point_whose_country_has_not_answered(client, staff_br):
    client.force_login(staff_br)
    response = client.get("/")
    (section,) = consultations(response)
    assert "Your country has not answered yet" in section
    assert find(response, "a", href=reverse("methodology:answer", args=[2]))

    services.answer_consultation(version(2), Country.objects.get(code="BR"), staff_br, Answer.AGREE)
    (section,) = consultations(client.get("/"))
    assert "Brazil: Agree" in section


def test_dashboard_of_the_coordinator_lists_the_consultation(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/")
    (section,) = consultations(response)
    assert "Methodology version 2" in section
    # Where the consultation stands and who is late, linked to the version page
    # (tests/visits/methodology/test_consultation_progress.py has the numbers).
    assert "4 of 6 answered, 1 objection" in section
    assert "Not answered yet: Brazil (Ana Paula Souza); Costa Rica (Óscar Solís)" in section
    assert find(response, "a", href=f"{version_url(2)}#late-countries")


def test_dashboard_without_open_consultation(client, staff_br, coordinator):
    services.return_to_draft(version(2), coordinator, "Rework.")
    client.force_login(staff_br)
    assert consultations(client.get("/")) == []


# --- queries ----------------------------------------------------------------------------------

NEW_PARTNERS = ["AR", "BO", "EC", "MX", "PE", "GT"]


def grow():
    """40 more criteria in each version, 6 more partner countries that all answer, comments."""
    v1, v2 = version(1), version(2)
    phases = list(Phase.values)
    for i in range(40):
        phase = phases[i % len(phases)]
        old = Criterion.objects.create(
            version=v1, code=f"EXTRA-{i:02d}", phase=phase, title=f"Extra {i}", text="Old text.",
            order=100 + i,
        )  # fmt: skip
        Criterion.objects.create(
            version=v2, code=f"EXTRA-{i:02d}", phase=phase, title=f"Extra {i}",
            text="New text." if i % 2 else "Old text.", order=100 + i,
            derived_from=old if i % 3 else None,
        )  # fmt: skip
    extra = list(v2.criteria.filter(code__startswith="EXTRA-"))
    answers = [Answer.AGREE, Answer.AGREE_WITH_COMMENTS, Answer.OBJECT]
    for i, code in enumerate(NEW_PARTNERS):
        country = Country.objects.create(code=code, programme_role=Country.ProgrammeRole.PARTNER)
        actor = Actor.objects.create(name=f"Ministry {code}", country=country, is_partner=True)
        focal_point = User.objects.create_user(
            f"staff-{code.lower()}", email=f"staff-{code.lower()}@example.org"
        )
        Membership.objects.create(user=focal_point, actor=actor, is_focal_point=True)
        endorsement = Endorsement.objects.create(
            version=v2,
            country=country,
            consultation_round=1,
            answer=answers[i % 3],
            comment=f"Comment of {code}.",
            given_by=focal_point,
        )
        for remark_on in extra[i * 5 : i * 5 + 5]:
            CriterionComment.objects.create(
                endorsement=endorsement, criterion=remark_on, text=f"{code} on {remark_on.code}"
            )
        ConsultationComment.objects.create(
            version=v2, author=focal_point, criterion=extra[i], text=f"Remark of {code}."
        )


# Every page: session, user, the user's memberships, the navigation bar's unread notifications
# and to-do count; the version page also the two
# permission lookups of ModelBackend (it asks permissions the rules refuse). Then the
# version page: the version, its criteria, those
# of the previous version, the answers with their criterion comments, the partner countries,
# the comments, the criteria offered by the comment form, the partners' focal points (who
# is late), the reminders sent, the answers' history records and their remarks' records; the
# adopted page: the version and its criteria.
VERSION_PAGE_QUERIES = 5 + 2 + 12
ADOPTED_PAGE_QUERIES = 5 + 2


def count_queries(client, url, bound, django_assert_max_num_queries):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("username", ["coordinator", "staff-py"])
def test_version_page_queries_do_not_grow(client, demo, username, django_assert_max_num_queries):
    client.force_login(user(username))
    url, bound = version_url(2), VERSION_PAGE_QUERIES
    at_demo_size, _response = count_queries(client, url, bound, django_assert_max_num_queries)
    grow()
    grown, response = count_queries(client, url, bound, django_assert_max_num_queries)

    assert grown == at_demo_size
    # The page did show what was added.
    assert len(board(response)) == 12
    assert "Comment of MX." in text(response)
    assert "PE on EXTRA-" in text(response)
    assert len(with_class(response, "div", "change-changed")) > 10
    assert "Remark of GT." in text(response)


def test_adopted_page_queries_do_not_grow(client, staff_py, django_assert_max_num_queries):
    client.force_login(staff_py)
    url, bound = reverse("methodology:adopted"), ADOPTED_PAGE_QUERIES
    at_demo_size, _response = count_queries(client, url, bound, django_assert_max_num_queries)
    grow()
    grown, response = count_queries(client, url, bound, django_assert_max_num_queries)
    assert grown == at_demo_size
    assert "EXTRA-39" in text(response)
