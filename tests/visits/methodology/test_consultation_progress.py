"""Where a consultation stands (answered N of M, objections, who is late) and the history of
every answer given in it: on the version page, in the model, on the coordinator's dashboard."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from countries.models import Country, Membership
from tests.support.html import find, text
from visits.methodology import workflow as services
from visits.methodology.models import Criterion, Endorsement, MethodologyVersion

User = get_user_model()
Answer = Endorsement.Answer

# The demo's version 2: Uruguay, Paraguay and Chile agree, Colombia objects; Brazil and Costa
# Rica have not answered. Their focal points are staff-br and staff-cr.
OBJECTION = "A half-day is too short for vice-ministers to see a service at work"


def version(number=2):
    return MethodologyVersion.objects.get(number=number)


def country(code):
    return Country.objects.get(code=code)


def focal_point(code):
    return User.objects.get(username=f"staff-{code.lower()}")


def page(client, number=2):
    response = client.get(reverse("methodology:version_detail", args=[number]))
    assert response.status_code == 200
    return response


class _ById(HTMLParser):
    """The text inside the element with a given id."""

    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id, self.tag, self.depth, self.parts = element_id, None, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth and tag == self.tag:
            self.depth += 1
        elif not self.depth and dict(attrs).get("id") == self.element_id and self.tag is None:
            self.tag, self.depth = tag, 1

    def handle_endtag(self, tag):
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def section(response, element_id):
    """The text of the element with this id, its spaces collapsed."""
    parser = _ById(element_id)
    parser.feed(response.content.decode())
    parser.close()
    assert parser.tag, f"no element with the id {element_id}"
    return " ".join(" ".join(parser.parts).split())


# --- the numbers, in the model ---------------------------------------------------------------


def test_progress_counts_answers_objections_and_who_is_late(demo):
    progress = version().consultation_progress()

    assert (progress.answered, progress.asked) == (4, 6)
    assert [e.country.code for e in progress.objections] == ["CO"]
    assert progress.summary() == "4 of 6 answered, 1 objection"
    late = [(c.code, [u.username for u in focal_points]) for c, focal_points in progress.late()]
    assert late == [("BR", ["staff-br"]), ("CR", ["staff-cr"])]
    # The same rule stops the adoption.
    assert bool(progress) and progress.missing == version().adoption_blockers().missing


def test_progress_follows_the_answers_of_the_current_round(demo, coordinator):
    services.answer_consultation(version(), country("BR"), focal_point("BR"), Answer.AGREE)
    progress = version().consultation_progress()
    assert progress.summary() == "5 of 6 answered, 1 objection"
    assert [c.code for c, _people in progress.late()] == ["CR"]

    # A new round: nobody has answered it yet.
    services.return_to_draft(version(), coordinator, "Rework.")
    services.open_consultation(version(), coordinator, timezone.localdate() + timedelta(days=9))
    progress = version().consultation_progress()
    assert progress.summary() == "0 of 6 answered, 0 objections"
    assert len(progress.late()) == 6


def test_late_focal_points_are_those_who_can_be_written_to(demo):
    # Costa Rica's focal point left (inactive): the country is late with nobody named.
    User.objects.filter(username="staff-cr").update(is_active=False)
    # Brazil has a second focal point.
    second = User.objects.create_user(
        "second-br", email="second-br@example.org", first_name="Bruna", last_name="Lima"
    )
    Membership.objects.create(
        user=second,
        actor=Membership.objects.get(user__username="staff-br").actor,
        role=Membership.Role.STAFF,
        is_focal_point=True,
    )
    late = dict(
        (c.code, {u.username for u in people})
        for c, people in version().consultation_progress().late()
    )
    assert late == {"BR": {"staff-br", "second-br"}, "CR": set()}


# --- the version page ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["coordinator", "staff-py", "projectteam"])
def test_version_page_shows_the_progress_and_who_is_late(client, demo, username):
    client.force_login(User.objects.get(username=username))
    response = page(client)
    status = section(response, "consultation-progress")
    assert status == "4 of 6 answered, 1 objection"
    late = section(response, "late-countries")
    br, cr = (focal_point(code).get_full_name() for code in ("BR", "CR"))
    assert late == f"Brazil · {br} Costa Rica · {cr}"
    assert "Colombia" not in late and "Uruguay" not in late


def test_a_closed_consultation_keeps_its_record(client, demo, coordinator):
    for code in ("BR", "CR"):
        services.answer_consultation(version(), country(code), focal_point(code), Answer.AGREE)
    services.answer_consultation(
        version(), country("CO"), focal_point("CO"), Answer.AGREE, "", {}, 1
    )
    services.adopt(version(), coordinator)

    client.force_login(coordinator)
    response = page(client)
    content = text(response)
    assert "Round 1 of the consultation: 6 of 6 answered, 0 objections." in content
    assert not find(response, "section", **{"aria-labelledby": "consultation-status"})
    assert "Colombia" in section(response, "answer-history")


def _answer_as(codes):
    for code in codes:
        services.answer_consultation(version(), country(code), focal_point(code), Answer.AGREE)


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("username", ["coordinator", "staff-py"])
def test_version_page_queries_are_the_same_for_two_and_six_answers(client, demo, username):
    client.force_login(User.objects.get(username=username))
    url = reverse("methodology:version_detail", args=[2])
    # Two answered: Uruguay and Paraguay.
    Endorsement.objects.filter(version=version(), country__code__in=["CL", "CO"]).delete()
    with_two, response = _count(client, url)
    assert "2 of 6 answered, 0 objections" in text(response)

    # Six answered, nobody late, more history records: as many queries.
    _answer_as(["BR", "CL", "CO", "CR"])
    with_six, response = _count(client, url)
    assert "6 of 6 answered, 0 objections" in text(response)
    assert with_six == with_two


# --- the history of the consultation ------------------------------------------------------------


def test_a_withdrawn_objection_shows_both_answers(client, demo, coordinator):
    colombia = Endorsement.objects.get(version=version(), country__code="CO")
    services.answer_consultation(
        version(),
        country("CO"),
        focal_point("CO"),
        Answer.AGREE_WITH_COMMENTS,
        "Withdrawn: the remote option answers our concern.",
        {Criterion.objects.get(version=version(), code="PREP-02").pk: "Name the institutions."},
        expected_revision=colombia.revision,
    )

    (records,) = [r for c, r in version().answer_history() if c.code == "CO"]
    objection, withdrawal = records
    assert (objection.answer, withdrawal.answer) == (Answer.OBJECT, Answer.AGREE_WITH_COMMENTS)
    assert objection.comment.startswith(OBJECTION)
    assert withdrawal.comment == "Withdrawn: the remote option answers our concern."
    assert objection.history_date < withdrawal.history_date
    assert (objection.withdraws_objection, withdrawal.withdraws_objection) == (False, True)
    assert withdrawal.given_by == focal_point("CO")
    # Each answer with the remarks on criteria it came with (an answer replaces them).
    assert [(r.criterion_code, r.text) for r in objection.remarks] == [
        ("PREP-01", "Keep “at most one day” and add the remote option.")
    ]
    assert [(r.criterion_code, r.text) for r in withdrawal.remarks] == [
        ("PREP-02", "Name the institutions.")
    ]
    # The current answer is the last one; the board shows only that one.
    assert Endorsement.objects.get(pk=colombia.pk).answer == Answer.AGREE_WITH_COMMENTS

    client.force_login(coordinator)
    history = section(page(client), "answer-history")
    colombia_part = history[history.index("Colombia") :]
    name = focal_point("CO").get_full_name()
    assert colombia_part.index(OBJECTION) < colombia_part.index("Objection withdrawn")
    assert "Withdrawn: the remote option answers our concern." in colombia_part
    assert colombia_part.index("PREP-01: Keep") < colombia_part.index("PREP-02: Name the")
    assert colombia_part.count(name) >= 2
    assert "Agree with comments" in colombia_part and "Object" in colombia_part


def test_history_separates_the_rounds(demo, coordinator):
    services.return_to_draft(version(), coordinator, "Rework.")
    services.open_consultation(version(), coordinator, timezone.localdate() + timedelta(days=9))
    services.answer_consultation(version(), country("CO"), focal_point("CO"), Answer.AGREE)

    (records,) = [r for c, r in version().answer_history() if c.code == "CO"]
    assert [(r.consultation_round, r.answer) for r in records] == [
        (1, Answer.OBJECT),
        (2, Answer.AGREE),
    ]
    # An agreement in a new round does not withdraw the objection of the old one.
    assert not records[1].withdraws_objection


# --- the coordinator's dashboard -----------------------------------------------------------------


def test_dashboard_progress_in_a_bounded_number_of_queries(demo):
    with CaptureQueriesContext(connection) as captured:
        ((consulted, _answers),) = services.open_consultations(progress=True)
    # The versions, their answers, the partners, their focal points.
    assert len(captured) == 4
    assert consulted.progress.summary() == "4 of 6 answered, 1 objection"
    assert [c.code for c, _people in consulted.progress.late()] == ["BR", "CR"]


def test_dashboard_of_a_focal_point_gets_no_progress(demo):
    ((consulted, answers),) = services.open_consultations({country("PY").pk})
    assert [a.country.code for a in answers] == ["PY"]
    assert not hasattr(consulted, "progress")
