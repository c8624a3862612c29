"""The loop back to the criteria: a lesson or a visit's finding proposes a revision, which
lands in the draft methodology version (a coordinator's at once, a focal point's as a
suggestion the coordinator accepts); once adopted, the lesson lists the criteria it revised.

The demo has version 1 adopted and version 2 in consultation; most tests remove version 2,
so that proposals land in a draft drafted from version 1.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from countries.models import Country
from lessons.models import Lesson
from tests.support.html import find, input_value, text
from visits.methodology import workflow as services
from visits.methodology.models import (
    Criterion,
    Endorsement,
    MethodologyVersion,
    Phase,
    RevisionProposal,
)
from visits.models import Delegation, Finding, Visit

User = get_user_model()
PROPOSE = reverse("methodology:propose")
VERSIONS = reverse("methodology:version_list")
LESSON_TITLE = "Interpretation for every session"
EXPERIENCE = "Delegations without a common language lost half of each site visit."


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def user(username):
    return User.objects.get(username=username)


@pytest.fixture
def only_version_1(demo):
    """The demo's adopted version 1, without its version 2 in consultation."""
    MethodologyVersion.objects.exclude(number=1).delete()
    return MethodologyVersion.objects.get(number=1)


@pytest.fixture
def lesson(demo):
    return Lesson.objects.create(
        title=LESSON_TITLE,
        status=Lesson.Status.PUBLISHED,
        description="Site visits in Brazil needed interpretation.",
        experience=EXPERIENCE,
    )


@pytest.fixture
def finding(demo):
    """A recommendation of Uruguay's delegation on a visit to Paraguay."""
    visit = Visit.objects.create(host_country=Country.objects.get(code="PY"), title="Care")
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    uruguay = Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    return Finding.objects.create(
        visit=visit,
        delegation=uruguay,
        kind=Finding.Kind.RECOMMENDATION,
        title="Share the background note earlier",
        text="The delegations received the background note two days before the visit.",
    )


NEW_CRITERION = {
    "revises": "",
    "code": "PREP-04",
    "phase": Phase.PREPARATION,
    "title": "Interpretation planned",
    "text": "When the delegations do not share a language, interpretation is budgeted.",
    "rationale": EXPERIENCE,
}


def propose(client, username, data, **source):
    client.force_login(user(username))
    ((name, obj),) = source.items()
    return client.post(f"{PROPOSE}?{name}={obj.pk}", {**data, name: obj.pk})


def draft():
    return MethodologyVersion.objects.get(status=MethodologyVersion.Status.DRAFT)


def changes_of(version):
    return [
        (change.kind, (change.new or change.old).code)
        for change in services.compare_versions(version)
    ]


# --- a coordinator's proposal ---------------------------------------------------------------


def test_the_proposal_form_starts_from_the_lesson(client, only_version_1, lesson, coordinator):
    client.force_login(coordinator)
    response = client.get(PROPOSE, {"lesson": lesson.pk})
    assert response.status_code == 200
    content = text(response)
    assert f"Drawn from the lesson “{LESSON_TITLE}”." in content
    assert "It goes into the draft of the next methodology version" in content
    assert input_value(response, "title") == LESSON_TITLE
    assert EXPERIENCE in content  # the rationale, from the experience gained
    assert input_value(response, "lesson") == str(lesson.pk)
    # Only criteria of the adopted version can be changed.
    assert find(response, "select", name="revises")
    choices = list(response.context["form"].fields["revises"].queryset)
    assert {c.version.number for c in choices} == {1}


def test_without_experience_the_rationale_is_the_description(client, only_version_1, coordinator):
    bare = Lesson.objects.create(
        title="Only a description", status=Lesson.Status.PUBLISHED, description="What happened."
    )
    client.force_login(coordinator)
    response = client.get(PROPOSE, {"lesson": bare.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["rationale"] == "What happened."


def test_a_coordinator_adds_a_criterion_from_a_lesson(client, only_version_1, lesson, coordinator):
    v1_criteria = list(only_version_1.criteria.values_list("code", "title", "text"))
    response = propose(client, "coordinator", NEW_CRITERION, lesson=lesson)

    # Version 2 is drafted from the adopted version 1, with the new criterion.
    version = draft()
    assert (version.number, version.previous, version.created_by) == (
        2,
        only_version_1,
        coordinator,
    )
    criterion = version.criteria.get(code="PREP-04")
    assert response.status_code == 302
    assert response.url == f"/methodology/versions/2/#criterion-{criterion.pk}"
    assert messages_of(response) == ["Criterion PREP-04 is in draft version 2."]
    assert (criterion.phase, criterion.title, criterion.text, criterion.rationale) == (
        Phase.PREPARATION,
        NEW_CRITERION["title"],
        NEW_CRITERION["text"],
        EXPERIENCE,
    )
    assert criterion.origin_lesson == lesson
    assert criterion.origin_finding is None
    assert criterion.origin == ""  # no copy of the title: the pages say where it came from
    # After the preparation criteria of version 1 (PREP-01 … PREP-03).
    assert criterion.order > max(
        c.order for c in version.criteria.filter(phase=Phase.PREPARATION).exclude(pk=criterion.pk)
    )
    # Everything else is version 1's, unchanged.
    assert changes_of(version) == [("added", "PREP-04")]
    assert set(v1_criteria) <= set(version.criteria.values_list("code", "title", "text"))
    assert list(only_version_1.criteria.values_list("code", "title", "text")) == v1_criteria
    # The proposal is on record, in the draft.
    (proposal,) = RevisionProposal.objects.all()
    assert (proposal.status, proposal.criterion, proposal.lesson, proposal.proposed_by) == (
        RevisionProposal.Status.ACCEPTED,
        criterion,
        lesson,
        coordinator,
    )

    # The version page shows it, with its origin.
    page = client.get(version.get_absolute_url())
    content = text(page)
    assert "Added PREP-04 Interpretation planned" in content
    # Said to each reader as far as they may see it: here a link to the published lesson.
    assert "Origin: Proposed by the lesson" in content and LESSON_TITLE in content
    (link,) = [a for a in find(page, "a") if a.get("href") == lesson.get_absolute_url()]


def test_a_second_proposal_goes_into_the_same_draft(client, only_version_1, lesson):
    propose(client, "coordinator", NEW_CRITERION, lesson=lesson)
    propose(
        client,
        "coordinator",
        {**NEW_CRITERION, "code": "COND-04", "phase": Phase.CONDUCT, "title": "Interpreters"},
        lesson=lesson,
    )
    assert MethodologyVersion.objects.count() == 2
    assert changes_of(draft()) == [("added", "PREP-04"), ("added", "COND-04")]
    assert set(lesson.proposed_criteria.values_list("code", flat=True)) == {"PREP-04", "COND-04"}


def test_a_coordinator_changes_an_existing_criterion_from_a_lesson(client, only_version_1, lesson):
    adopted = only_version_1.criteria.get(code="PREP-01")
    changed_text = (
        "The agenda concentrates the participation of high-level officials in one half-day "
        "session; interpreters accompany them."
    )
    response = propose(
        client,
        "coordinator",
        {**NEW_CRITERION, "revises": adopted.pk, "code": "", "title": adopted.title,
         "text": changed_text},
        lesson=lesson,
    )  # fmt: skip
    assert response.status_code == 302
    version = draft()
    criterion = version.criteria.get(code="PREP-01")
    assert response.url == f"/methodology/versions/2/#criterion-{criterion.pk}"
    assert (criterion.derived_from, criterion.text) == (adopted, changed_text)
    assert criterion.origin_lesson == lesson
    assert criterion.origin == ""  # no copy of the title: the pages say where it came from
    assert version.criteria.count() == only_version_1.criteria.count()  # no new criterion
    assert changes_of(version) == [("changed", "PREP-01")]
    adopted.refresh_from_db()
    assert adopted.text.startswith("The agenda concentrates the participation of high-level")
    assert "interpreters" not in adopted.text

    # The version page shows the change word by word.
    response = client.get(version.get_absolute_url())
    html = response.content.decode()
    assert "Changed PREP-01" in text(response)
    assert "<ins>interpreters</ins>" in html
    assert "<del>technical</del>" in html


def test_a_change_of_a_criterion_already_changed_in_the_draft(client, only_version_1, lesson):
    adopted = only_version_1.criteria.get(code="PLAN-02")
    for text_ in ["First change.", "Second change."]:
        propose(
            client,
            "coordinator",
            {**NEW_CRITERION, "revises": adopted.pk, "code": "", "phase": adopted.phase,
             "title": adopted.title, "text": text_},
            lesson=lesson,
        )  # fmt: skip
    version = draft()
    assert version.criteria.filter(code="PLAN-02").get().text == "Second change."
    assert changes_of(version) == [("changed", "PLAN-02")]


def test_a_new_criterion_needs_a_code(client, only_version_1, lesson):
    response = propose(client, "coordinator", {**NEW_CRITERION, "code": ""}, lesson=lesson)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This field is required."]
    assert not RevisionProposal.objects.exists()


def test_a_new_criterion_needs_a_free_code(client, only_version_1, lesson):
    response = propose(client, "coordinator", {**NEW_CRITERION, "code": "PREP-01"}, lesson=lesson)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Version 2 already has a criterion PREP-01."]
    # Nothing stays: neither the draft drafted for it nor the proposal.
    assert list(MethodologyVersion.objects.values_list("number", flat=True)) == [1]
    assert not RevisionProposal.objects.exists()


def test_refused_while_a_version_is_in_consultation(client, demo, lesson):
    before = (
        list(MethodologyVersion.objects.values_list("number", "status", "revision")),
        list(Criterion.objects.values_list("pk", "code", "text")),
    )
    response = propose(client, "coordinator", NEW_CRITERION, lesson=lesson)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Version 2 is in consultation: revisions can be added once it is adopted or returned "
        "to draft."
    ]
    assert "Version 2 is in consultation" in text(response)
    assert not RevisionProposal.objects.exists()
    assert (
        list(MethodologyVersion.objects.values_list("number", "status", "revision")),
        list(Criterion.objects.values_list("pk", "code", "text")),
    ) == before


# --- a focal point's suggestion -------------------------------------------------------------


def test_a_focal_points_proposal_stays_a_suggestion_until_the_coordinator_accepts_it(
    client, only_version_1, lesson, coordinator, staff_py
):
    client.force_login(staff_py)
    page = client.get(PROPOSE, {"lesson": lesson.pk})
    assert "The coordinators receive it as a suggestion" in text(page)

    response = propose(client, "staff-py", NEW_CRITERION, lesson=lesson)
    assert response.status_code == 302
    assert response.url == lesson.get_absolute_url()
    assert messages_of(response) == [
        "Your suggestion was sent to the coordinators, who decide whether it goes into the "
        "next version."
    ]
    (proposal,) = RevisionProposal.objects.all()
    assert (proposal.status, proposal.criterion, proposal.proposed_by) == (
        RevisionProposal.Status.PENDING,
        None,
        staff_py,
    )
    assert list(MethodologyVersion.objects.values_list("number", flat=True)) == [1]

    # Listed on the versions page, for every member; only the coordinator may accept it.
    accept = reverse("methodology:proposal_accept", args=[proposal.pk])
    page = client.get(VERSIONS)
    content = text(page)
    assert "Suggested revisions" in content
    assert (
        "PREP-04 Interpretation planned "
        "When the delegations do not share a language, interpretation is budgeted. "
        "María José Giménez"
    ) in content
    assert find(page, "a", href=lesson.get_absolute_url())
    assert not find(page, "form", action=accept)
    assert re.search(r"<title>\s*Methodology versions", page.content.decode())
    assert "Suggested" not in re.search(r"<title>(.*?)</title>", page.content.decode(), re.S)[1]

    client.force_login(coordinator)
    page = client.get(VERSIONS)
    assert find(page, "form", action=accept)
    response = client.post(accept)
    version = draft()
    criterion = version.criteria.get(code="PREP-04")
    assert response.status_code == 302
    assert response.url == version.get_absolute_url()
    assert messages_of(response) == ["Criterion PREP-04 is in draft version 2."]
    assert criterion.origin_lesson == lesson
    assert criterion.origin == ""  # no copy of the title: the pages say where it came from
    proposal.refresh_from_db()
    assert (proposal.status, proposal.criterion) == (RevisionProposal.Status.ACCEPTED, criterion)
    assert "Suggested revisions" not in text(client.get(VERSIONS))
    # Accepted once only.
    assert client.post(accept).status_code == 404


def test_a_suggestion_of_a_change(client, only_version_1, lesson, coordinator):
    adopted = only_version_1.criteria.get(code="PREP-03")
    propose(
        client,
        "staff-uy",
        {**NEW_CRITERION, "revises": adopted.pk, "code": "", "phase": adopted.phase,
         "title": adopted.title, "text": "Three weeks before the visit."},
        lesson=lesson,
    )  # fmt: skip
    assert "PREP-03 A focus" not in text(client.get(VERSIONS))
    assert "changes PREP-03" in text(client.get(VERSIONS))
    client.force_login(coordinator)
    client.post(reverse("methodology:proposal_accept", args=[RevisionProposal.objects.get().pk]))
    assert changes_of(draft()) == [("changed", "PREP-03")]
    assert draft().criteria.get(code="PREP-03").text == "Three weeks before the visit."


def test_suggestions_are_taken_during_a_consultation_and_accepted_after(
    client, demo, lesson, coordinator
):
    # The demo's version 2 already adds a PREP-04.
    response = propose(client, "staff-py", {**NEW_CRITERION, "code": "PREP-05"}, lesson=lesson)
    assert response.status_code == 302
    proposal = RevisionProposal.objects.get()

    client.force_login(coordinator)
    accept = reverse("methodology:proposal_accept", args=[proposal.pk])
    response = client.post(accept)
    assert response.url == VERSIONS
    assert messages_of(response)[-1] == (
        "Version 2 is in consultation: revisions can be added once it is adopted or returned "
        "to draft."
    )
    proposal.refresh_from_db()
    assert proposal.status == RevisionProposal.Status.PENDING
    assert not Criterion.objects.filter(code="PREP-04").exclude(version__number=2).exists()

    # Once version 2 is returned to draft, the suggestion goes into it.
    services.return_to_draft(MethodologyVersion.objects.get(number=2), coordinator, "Rework.")
    client.post(accept)
    criterion = Criterion.objects.get(origin_lesson=lesson)
    assert (criterion.version.number, criterion.code) == (2, "PREP-05")


def test_accepting_a_suggestion_whose_code_is_taken_meanwhile(client, demo, lesson, coordinator):
    propose(client, "staff-py", NEW_CRITERION, lesson=lesson)  # PREP-04, as version 2 has
    services.return_to_draft(MethodologyVersion.objects.get(number=2), coordinator, "Rework.")
    client.force_login(coordinator)
    proposal = RevisionProposal.objects.get()
    response = client.post(reverse("methodology:proposal_accept", args=[proposal.pk]))
    assert response.url == VERSIONS
    assert messages_of(response)[-1] == "Version 2 already has a criterion PREP-04."
    proposal.refresh_from_db()
    assert proposal.status == RevisionProposal.Status.PENDING
    assert not Criterion.objects.filter(origin_lesson=lesson).exists()


# --- from a finding ------------------------------------------------------------------------------


def test_a_coordinator_proposes_from_a_finding(client, only_version_1, finding, coordinator):
    client.force_login(coordinator)
    page = client.get(PROPOSE, {"finding": finding.pk})
    assert page.status_code == 200
    assert "Drawn from the finding “Share the background note earlier” of Paraguay, visit 1." in (
        text(page)
    )
    # Nothing of the finding is copied: not every member may see its visit.
    assert "rationale" not in page.context["form"].initial

    adopted = only_version_1.criteria.get(code="PREP-03")
    response = propose(
        client,
        "coordinator",
        {**NEW_CRITERION, "revises": adopted.pk, "code": "", "phase": adopted.phase,
         "title": adopted.title, "text": "At least three weeks before the visit."},
        finding=finding,
    )  # fmt: skip
    assert response.status_code == 302
    criterion = draft().criteria.get(code="PREP-03")
    assert (criterion.origin_finding, criterion.origin_lesson) == (finding, None)
    assert criterion.origin == ""  # the finding's title is shown only to those who may see it
    content = text(client.get(draft().get_absolute_url()))
    assert (
        "Proposed by the finding “Share the background note earlier” of Paraguay, visit 1."
        in content
    )
    assert changes_of(draft()) == [("changed", "PREP-03")]
    assert list(finding.proposed_criteria.all()) == [criterion]


def test_a_focal_point_suggests_from_a_finding_of_a_visit_of_their_country(
    client, only_version_1, finding, coordinator
):
    # Uruguay took part; Chile did not, and does not see the visit.
    assert propose(client, "staff-cl", NEW_CRITERION, finding=finding).status_code == 404
    response = propose(client, "staff-uy", NEW_CRITERION, finding=finding)
    assert response.status_code == 302
    assert response.url == finding.get_absolute_url()
    proposal = RevisionProposal.objects.get()
    assert (proposal.finding, proposal.status) == (finding, RevisionProposal.Status.PENDING)

    client.force_login(coordinator)
    page = client.get(VERSIONS)
    assert find(page, "a", href=finding.get_absolute_url())
    client.post(reverse("methodology:proposal_accept", args=[proposal.pk]))
    assert draft().criteria.get(code="PREP-04").origin_finding == finding


def test_a_suggestion_names_its_source_only_to_members_who_may_open_it(
    client, only_version_1, finding, lesson, staff_py
):
    """Every member reads the suggestions; a finding of a visit Chile did not join, or a
    lesson still in draft, is not named (nor linked) to Chile's focal point."""
    propose(client, "staff-uy", NEW_CRITERION, finding=finding)
    lesson.status = Lesson.Status.DRAFT
    lesson.created_by = staff_py
    lesson.save()
    propose(client, "staff-py", {**NEW_CRITERION, "code": "PREP-05"}, lesson=lesson)
    assert RevisionProposal.objects.count() == 2

    client.force_login(user("staff-cl"))
    page = client.get(VERSIONS)
    content = text(page)
    assert "Interpretation planned" in content
    assert finding.title not in content and LESSON_TITLE not in content
    assert not find(page, "a", href=finding.get_absolute_url())
    assert not find(page, "a", href=lesson.get_absolute_url())
    assert "from a finding of a visit you cannot open" in content
    assert "from a lesson you cannot open" in content

    client.force_login(user("staff-uy"))  # took part in the visit; the lesson is a draft
    page = client.get(VERSIONS)
    assert find(page, "a", href=finding.get_absolute_url())
    assert "from a lesson you cannot open" in text(page)


# --- after adoption ------------------------------------------------------------------------


def adopt(version, coordinator):
    services.open_consultation(version, coordinator, timezone.localdate() + timedelta(days=7))
    for country in Country.objects.partners():
        services.answer_consultation(
            version,
            country,
            user(f"staff-{country.code.code.lower()}"),
            Endorsement.Answer.AGREE,
        )
    services.adopt(version, coordinator)


def test_after_adoption_the_lesson_lists_the_criteria_it_revised(
    client, only_version_1, lesson, coordinator
):
    propose(client, "coordinator", NEW_CRITERION, lesson=lesson)
    adopted = only_version_1.criteria.get(code="PREP-01")
    propose(
        client,
        "coordinator",
        {**NEW_CRITERION, "revises": adopted.pk, "code": "", "title": adopted.title,
         "text": "One half-day session with interpretation."},
        lesson=lesson,
    )  # fmt: skip
    version = draft()
    adopt(version, coordinator)
    version.refresh_from_db()
    assert version.is_adopted

    client.logout()  # the knowledge bank is public
    response = client.get(lesson.get_absolute_url())
    content = text(response)
    assert "Criteria this lesson revised" in content
    for criterion in lesson.proposed_criteria.all():
        assert f"{criterion.code} {criterion.title} · Methodology version 2 (Adopted)" in content
        assert find(response, "a", href=f"/methodology/versions/2/#criterion-{criterion.pk}")
    assert {c.code for c in lesson.proposed_criteria.all()} == {"PREP-01", "PREP-04"}
    # The adopted methodology carries them, with their origin.
    client.force_login(coordinator)
    content = text(client.get(reverse("methodology:adopted")))
    assert "Interpretation planned" in content
    assert "One half-day session with interpretation." in content


def test_a_lesson_that_revised_nothing_lists_nothing(client, only_version_1, lesson):
    assert "Criteria this lesson revised" not in text(client.get(lesson.get_absolute_url()))
