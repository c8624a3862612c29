"""The methodology's invariants when two transactions race, on PostgreSQL.

Each test starts two threads, each with its own database connection, lets them meet at a
barrier and call the service at the same moment. SQLite serialises every write, so these
tests only mean something on PostgreSQL (CI=true fails the run when it is missing).
"""

import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from core.concurrency import STALE_MESSAGE
from countries.models import Country
from visits.methodology import workflow as services
from visits.methodology.models import Endorsement, MethodologyVersion

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrent transactions need PostgreSQL: set DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

User = get_user_model()
Status = MethodologyVersion.Status
Answer = Endorsement.Answer

ROUNDS = 5  # each race runs several times: a lucky interleaving must not hide a bug


def race(*calls):
    """Run the calls at the same moment in threads; [(result, error)] in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = (call(), None)
        except Exception as error:  # noqa: BLE001 - the test looks at every outcome
            outcomes[index] = (None, error)
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hangs"
    return outcomes


def agreed_version(number, base):
    """A version in consultation, building on ``base``, that every partner agreed to."""
    candidate = MethodologyVersion.objects.create(
        number=number, previous=base, status=Status.CONSULTATION, consultation_round=1
    )
    for country in Country.objects.partners():
        Endorsement.objects.create(
            version=candidate,
            country=country,
            consultation_round=1,
            answer=Answer.AGREE,
            given_by=User.objects.get(username=f"staff-{country.code.code.lower()}"),
        )
    return candidate


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_adoptions_at_once_leave_one_adopted_version(demo, coordinator, attempt):
    MethodologyVersion.objects.filter(number=2).delete()
    v1 = MethodologyVersion.objects.get(number=1)
    first, second = agreed_version(2, v1), agreed_version(3, v1)

    outcomes = race(
        lambda: services.adopt(first, coordinator),
        lambda: services.adopt(second, coordinator),
    )

    adopted = [result for result, error in outcomes if error is None]
    errors = [error for result, error in outcomes if error is not None]
    assert len(adopted) == 1, outcomes
    assert len(errors) == 1, outcomes
    # Refused by the rule, with a message for the coordinator, not by the database.
    assert isinstance(errors[0], services.MethodologyError), repr(errors[0])
    assert f"Version {adopted[0].number} was adopted in the meantime" in str(errors[0])

    assert list(MethodologyVersion.objects.adopted()) == [adopted[0]]
    statuses = dict(MethodologyVersion.objects.values_list("number", "status"))
    loser = 3 if adopted[0].number == 2 else 2
    assert statuses == {
        1: Status.SUPERSEDED,
        adopted[0].number: Status.ADOPTED,
        loser: Status.CONSULTATION,
    }


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_first_answers_at_once_save_one(demo, attempt):
    v2 = MethodologyVersion.objects.get(number=2)
    brazil = Country.objects.get(code="BR")
    focal_point = User.objects.get(username="staff-br")

    outcomes = race(
        lambda: services.answer_consultation(
            v2, brazil, focal_point, Answer.AGREE, "First tab.", expected_revision=0
        ),
        lambda: services.answer_consultation(
            v2, brazil, focal_point, Answer.OBJECT, "Second tab.", expected_revision=0
        ),
    )

    saved = [result for result, error in outcomes if error is None]
    errors = [error for result, error in outcomes if error is not None]
    assert len(saved) == 1 and len(errors) == 1, outcomes
    assert isinstance(errors[0], services.MethodologyError), repr(errors[0])
    assert str(errors[0]) == str(STALE_MESSAGE)

    (answer,) = Endorsement.objects.filter(version=v2, country=brazil)
    assert (answer.answer, answer.comment, answer.revision) == (
        saved[0].answer,
        saved[0].comment,
        1,
    )


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_changes_of_one_answer_at_once_save_one(demo, attempt):
    v2 = MethodologyVersion.objects.get(number=2)
    colombia = Country.objects.get(code="CO")
    focal_point = User.objects.get(username="staff-co")

    outcomes = race(
        lambda: services.answer_consultation(
            v2, colombia, focal_point, Answer.AGREE, "Withdrawn.", expected_revision=1
        ),
        lambda: services.answer_consultation(
            v2, colombia, focal_point, Answer.OBJECT, "Maintained.", expected_revision=1
        ),
    )

    saved = [result for result, error in outcomes if error is None]
    errors = [error for result, error in outcomes if error is not None]
    assert len(saved) == 1 and len(errors) == 1, outcomes
    assert isinstance(errors[0], services.MethodologyError), repr(errors[0])
    answer = Endorsement.objects.get(version=v2, country=colombia)
    assert (answer.comment, answer.revision) == (saved[0].comment, 2)


def refused_of_two_drafts(coordinator):
    """Two drafts at once: one is made, the other refused; the refusal."""
    outcomes = race(
        lambda: services.draft_new_version(coordinator),
        lambda: services.draft_new_version(coordinator),
    )
    drafted = [result for result, error in outcomes if error is None]
    errors = [error for result, error in outcomes if error is not None]
    assert len(drafted) == 1 and len(errors) == 1, outcomes
    assert isinstance(errors[0], services.MethodologyError), repr(errors[0])
    return errors[0]


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_drafts_at_once_make_one_draft(demo, coordinator, attempt):
    MethodologyVersion.objects.filter(number=2).delete()
    assert "Version 2 is still draft" in str(refused_of_two_drafts(coordinator))
    assert list(MethodologyVersion.objects.values_list("number", "status")) == [
        (2, Status.DRAFT),
        (1, Status.ADOPTED),
    ]


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_an_objection_racing_with_adoption_never_slips_through(demo, coordinator, attempt):
    MethodologyVersion.objects.filter(number=2).delete()
    candidate = agreed_version(2, MethodologyVersion.objects.get(number=1))
    colombia = Country.objects.get(code="CO")

    (adoption, adopt_error), (objection, object_error) = race(
        lambda: services.adopt(candidate, coordinator),
        lambda: services.answer_consultation(
            candidate,
            colombia,
            User.objects.get(username="staff-co"),
            Answer.OBJECT,
            "Colombia objects at the last minute.",
            expected_revision=1,
        ),
    )

    # Either the objection came first and stops the adoption, or the adoption came first
    # and closed the answers: never an adopted version with a standing objection.
    assert (adopt_error is None) != (object_error is None), (adopt_error, object_error)
    candidate.refresh_from_db()
    answer = Endorsement.objects.get(version=candidate, country=colombia)
    if adopt_error is None:
        assert "answers are closed" in str(object_error)
        assert (candidate.status, answer.answer) == (Status.ADOPTED, Answer.AGREE)
    else:
        assert "Colombia objects at the last minute." in str(adopt_error)
        assert (candidate.status, answer.answer) == (Status.CONSULTATION, Answer.OBJECT)


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_first_ever_drafts_at_once_make_one_draft(demo, coordinator, attempt):
    """On an empty table there is no row to lock: the second draft is refused with the
    reason, not a database error."""
    for version in MethodologyVersion.objects.order_by("-number"):  # each protects the next
        version.delete()
    assert str(refused_of_two_drafts(coordinator)) == (
        "Version 1 is still draft: adopt it or work on it before drafting another."
    )
    assert list(MethodologyVersion.objects.values_list("number", "status")) == [(1, Status.DRAFT)]
