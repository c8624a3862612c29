"""visits.services: the rules of the jointly agreed methodology, branch by branch.

The demo data: version 1 adopted with 15 criteria; version 2 in consultation (PREP-01
changed, PREP-04 added) with answers from Uruguay and Paraguay (agree), Chile (agree with
comments) and Colombia (object); Brazil and Costa Rica have not answered.
"""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.concurrency import STALE_MESSAGE
from countries.models import Country
from visits.methodology import tasks
from visits.methodology import workflow as services
from visits.methodology.forms import CriterionForm
from visits.methodology.models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    Phase,
)
from visits.methodology.tasks import notify_consultation_opened, send_consultation_reminders
from visits.methodology.workflow import MethodologyError

User = get_user_model()
Status = MethodologyVersion.Status
Answer = Endorsement.Answer

PARTNERS = ["BR", "CL", "CO", "CR", "PY", "UY"]
OBJECTION = "A half-day is too short for vice-ministers to see a service at work"


def version(number):
    return MethodologyVersion.objects.get(number=number)


def country(code):
    return Country.objects.get(code=code)


def focal_point(code):
    return User.objects.get(username=f"staff-{code.lower()}")


def criterion(number, code):
    return Criterion.objects.get(version__number=number, code=code)


def current_answer(number, code):
    return version(number).current_endorsements().filter(country__code=code).first()


def answer(number, code, given=Answer.AGREE, comment="", **kwargs):
    """The focal point of country ``code`` answers on version ``number``."""
    return services.answer_consultation(
        version(number), country(code), focal_point(code), given, comment, **kwargs
    )


def everyone_agrees(number):
    """Every partner country agrees, changing the answers it gave so far."""
    for code in PARTNERS:
        current = current_answer(number, code)
        if current is None or current.answer != Answer.AGREE:
            answer(number, code, expected_revision=current.revision if current else 0)


def in_future(days=10):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def only_v1(demo):
    """The demo without its version 2: version 1 adopted, nothing in progress."""
    MethodologyVersion.objects.filter(number=2).delete()
    return version(1)


@pytest.fixture
def draft(only_v1, coordinator):
    """Version 2, drafted from the adopted version 1."""
    return services.draft_new_version(coordinator)


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """Celery tasks run in the caller, where the test can see their e-mails (the tasks
    that mail queue one task per focal point)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


# --- drafting -------------------------------------------------------------------------------


def test_draft_copies_the_adopted_version(only_v1, coordinator):
    draft = services.draft_new_version(coordinator)

    assert draft.number == 2
    assert draft.status == Status.DRAFT
    assert draft.previous == only_v1
    assert draft.created_by == coordinator
    assert draft.consultation_round == 0
    copied = {c.code: c for c in draft.criteria.select_related("derived_from")}
    assert len(copied) == 15
    for original in only_v1.criteria.all():
        copy = copied[original.code]
        assert copy.pk != original.pk
        assert copy.derived_from == original
        assert (copy.phase, copy.title, copy.text, copy.rationale, copy.order) == (
            original.phase,
            original.title,
            original.text,
            original.rationale,
            original.order,
        )
    # The copies are in the history, as created by the coordinator.
    assert Criterion.history.filter(version_id=draft.pk, history_type="+").count() == 15
    assert {r.history_user for r in Criterion.history.filter(version_id=draft.pk)} == {coordinator}
    # The adopted version is untouched.
    assert version(1).status == Status.ADOPTED
    assert version(1).criteria.count() == 15


def test_draft_number_follows_the_highest(only_v1, coordinator):
    MethodologyVersion.objects.filter(number=1).update(status=Status.SUPERSEDED)
    five = MethodologyVersion.objects.create(
        number=5, status=Status.ADOPTED, previous=only_v1, consultation_round=1
    )
    draft = services.draft_new_version(coordinator)
    assert draft.number == 6
    assert draft.previous == five
    assert draft.criteria.count() == 0  # version 5 has no criteria to copy


def test_draft_refused_while_a_version_is_in_consultation(coordinator):
    with pytest.raises(MethodologyError, match="Version 2 is still in consultation"):
        services.draft_new_version(coordinator)
    assert MethodologyVersion.objects.count() == 2


def test_draft_refused_while_a_draft_exists(draft, coordinator):
    with pytest.raises(MethodologyError, match="Version 2 is still draft"):
        services.draft_new_version(coordinator)
    assert MethodologyVersion.objects.count() == 2


def test_first_draft_when_no_version_exists(db):
    author = User.objects.create_user("author")
    draft = services.draft_new_version(author)
    assert (draft.number, draft.status, draft.previous, draft.created_by) == (
        1,
        Status.DRAFT,
        None,
        author,
    )
    assert draft.criteria.count() == 0


# --- editing criteria -----------------------------------------------------------------------


def make_status(status):
    """A version in the given status: 1 adopted, 2 in consultation, 1 superseded."""
    if status == Status.SUPERSEDED:
        MethodologyVersion.objects.filter(number=1).update(status=Status.SUPERSEDED)
        return version(1)
    return version(1 if status == Status.ADOPTED else 2)


@pytest.mark.parametrize(
    "status, said",
    [
        (Status.ADOPTED, "adopted"),
        (Status.SUPERSEDED, "superseded"),
        (Status.CONSULTATION, "in consultation"),
    ],
)
def test_criteria_of_a_version_that_is_not_a_draft_do_not_change(demo, status, said):
    target = make_status(status)
    first = target.criteria.get(code="PLAN-02")
    before = list(target.criteria.values_list("pk", "code", "title", "order", "revision"))
    message = f"Version {target.number} is {said}: only a draft version can be changed."

    with pytest.raises(MethodologyError) as refused:
        services.require_draft(target)
    assert str(refused.value) == message
    with pytest.raises(MethodologyError, match=message):
        services.retire_criterion(first)
    with pytest.raises(MethodologyError, match=message):
        services.move_criterion(first, -1)

    edit = CriterionForm(
        {
            "code": "PLAN-02",
            "phase": Phase.PLANNING,
            "title": "Changed",
            "text": "Changed",
            "revision": first.revision,
        },
        instance=first,
        version=target,
    )
    assert edit.is_valid(), edit.errors
    with pytest.raises(MethodologyError, match=message):
        edit.save()
    add = CriterionForm(
        {"code": "PLAN-09", "phase": Phase.PLANNING, "title": "New", "text": "New"},
        version=target,
    )
    assert add.is_valid(), add.errors
    with pytest.raises(MethodologyError, match=message):
        add.save()

    assert list(target.criteria.values_list("pk", "code", "title", "order", "revision")) == before


def test_duplicate_code_refused(draft):
    with pytest.raises(ValidationError) as refused:
        services.check_criterion_code(draft, "PLAN-01")
    assert refused.value.messages == ["Version 2 already has a criterion PLAN-01."]
    # The criterion itself may keep its code; a new code is free; other versions do not count.
    services.check_criterion_code(draft, "PLAN-01", exclude=draft.criteria.get(code="PLAN-01"))
    services.check_criterion_code(draft, "PLAN-09")
    services.check_criterion_code(version(1), "PLAN-09")


def test_criterion_form_refuses_a_duplicate_code(draft):
    form = CriterionForm(
        {"code": "plan-01", "phase": Phase.CONDUCT, "title": "Twin", "text": "Twin"},
        version=draft,
    )
    assert not form.is_valid()
    assert form.errors["code"] == ["Version 2 already has a criterion PLAN-01."]

    other = draft.criteria.get(code="PLAN-02")
    form = CriterionForm(
        {
            "code": "PLAN-01",
            "phase": other.phase,
            "title": other.title,
            "text": other.text,
            "revision": other.revision,
        },
        instance=other,
        version=draft,
    )
    assert not form.is_valid()
    assert form.errors["code"] == ["Version 2 already has a criterion PLAN-01."]
    assert draft.criteria.filter(code="PLAN-01").count() == 1


def test_criterion_form_keeps_its_own_code_and_adds_at_the_end_of_the_phase(draft):
    own = draft.criteria.get(code="PLAN-01")
    form = CriterionForm(
        {
            "code": "PLAN-01",
            "phase": own.phase,
            "title": "Objectives agreed by all",
            "text": own.text,
            "revision": own.revision,
        },
        instance=own,
        version=draft,
    )
    assert form.is_valid(), form.errors
    form.save()
    own.refresh_from_db()
    assert (own.title, own.revision, own.order) == ("Objectives agreed by all", 2, 1)

    add = CriterionForm(
        {"code": "cond-04", "phase": Phase.CONDUCT, "title": "New", "text": "New"},
        version=draft,
    )
    assert add.is_valid(), add.errors
    new = add.save()
    assert (new.code, new.version, new.order) == ("COND-04", draft, 11)  # COND-03 is 10


def test_changing_the_phase_moves_the_criterion_to_the_end_of_the_new_phase(draft):
    moved = draft.criteria.get(code="PLAN-01")
    form = CriterionForm(
        {
            "code": "PLAN-01",
            "phase": Phase.FOLLOW_UP,
            "title": moved.title,
            "text": moved.text,
            "revision": moved.revision,
        },
        instance=moved,
        version=draft,
    )
    assert form.is_valid(), form.errors
    form.save()
    moved.refresh_from_db()
    assert moved.phase == Phase.FOLLOW_UP
    assert moved.order == 16  # after FOLL-02, the 15th


def codes(version_, phase):
    return list(version_.criteria.filter(phase=phase).values_list("code", flat=True))


def test_move_up_and_down(draft):
    services.move_criterion(draft.criteria.get(code="PLAN-03"), -1)
    assert codes(draft, Phase.PLANNING) == ["PLAN-01", "PLAN-03", "PLAN-02", "PLAN-04"]
    services.move_criterion(draft.criteria.get(code="PLAN-01"), +1)
    assert codes(draft, Phase.PLANNING) == ["PLAN-03", "PLAN-01", "PLAN-02", "PLAN-04"]
    # Only the phase of the criterion is renumbered; the others keep their order.
    assert codes(draft, Phase.PREPARATION) == ["PREP-01", "PREP-02", "PREP-03"]
    assert list(draft.criteria.filter(phase=Phase.PLANNING).values_list("order", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    # A moved criterion has a new revision: a form opened before the move is stale.
    assert draft.criteria.get(code="PLAN-03").revision > 1


def test_move_beyond_the_ends_changes_nothing(draft):
    before = list(draft.criteria.values_list("pk", "order", "revision"))
    services.move_criterion(draft.criteria.get(code="PLAN-01"), -1)
    services.move_criterion(draft.criteria.get(code="PLAN-04"), +1)
    services.move_criterion(draft.criteria.get(code="FOLL-02"), +1)
    assert list(draft.criteria.values_list("pk", "order", "revision")) == before


def test_retire(draft):
    retired = draft.criteria.get(code="PLAN-03")
    pk = retired.pk
    services.retire_criterion(retired)
    assert not draft.criteria.filter(code="PLAN-03").exists()
    assert draft.criteria.count() == 14
    assert version(1).criteria.filter(code="PLAN-03").exists()
    assert Criterion.history.filter(id=pk, history_type="-").exists()


# --- opening the consultation ---------------------------------------------------------------


@pytest.mark.parametrize("number, said", [(1, "adopted"), (2, "in consultation")])
def test_open_refused_when_not_a_draft(demo, coordinator, number, said):
    with pytest.raises(MethodologyError, match=f"Version {number} is {said}: only a draft version"):
        services.open_consultation(version(number), coordinator, in_future())
    assert version(number).consultation_round == 1


def test_open_refused_without_criteria(draft, coordinator):
    draft.criteria.all().delete()
    with pytest.raises(MethodologyError, match="A version without criteria"):
        services.open_consultation(draft, coordinator, in_future())
    assert version(2).status == Status.DRAFT


@pytest.mark.parametrize("days", [0, -1])
def test_open_refused_with_a_deadline_not_in_the_future(draft, coordinator, days):
    with pytest.raises(MethodologyError, match="The deadline must be a day in the future."):
        services.open_consultation(draft, coordinator, in_future(days))
    draft.refresh_from_db()
    assert (draft.status, draft.consultation_round, draft.deadline) == (Status.DRAFT, 0, None)


def test_open(draft, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        opened = services.open_consultation(draft, coordinator, in_future(14))
    # The e-mails, once the transaction commits.
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert opened == draft
    assert draft.status == Status.CONSULTATION
    assert draft.consultation_round == 1
    assert draft.deadline == in_future(14)
    assert draft.opened_by == coordinator
    assert draft.opened_at is not None
    assert draft.closed_at is None and draft.closed_by is None
    assert draft.revision == 2


def test_open_mails_every_partner_focal_point_in_their_language(
    draft, coordinator, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.open_consultation(draft, coordinator, in_future(14))

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == [f"staff-{code.lower()}@example.org" for code in PARTNERS]
    url = f"{django_settings.SITE_URL}/methodology/versions/2/"
    for code in PARTNERS:
        message = by_recipient[f"staff-{code.lower()}@example.org"]
        assert url in message.body
        if code == "BR":
            assert message.subject == "Consulta aberta: versão 2 da metodologia"
            assert "Prezada/o Ana Paula Souza," in message.body
        else:
            assert message.subject == "Consulta abierta: versión 2 de la metodología"
            assert "Estimada/o" in message.body


def test_no_mail_when_opening_is_refused(
    demo, coordinator, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(MethodologyError):
            services.open_consultation(version(2), coordinator, in_future())
    assert callbacks == []
    assert mail.outbox == []


def test_the_opening_mail_is_not_sent_for_a_version_no_longer_in_consultation(draft, coordinator):
    # The task runs after the commit; the version may have gone back to draft meanwhile.
    assert notify_consultation_opened(draft.pk) == 0
    assert notify_consultation_opened(999999) == 0
    assert mail.outbox == []


def test_a_failed_email_is_sent_again_to_its_recipient_alone(
    draft, coordinator, monkeypatch, settings
):
    # Eager retries run at once; not propagating, they do not stop the other recipients'.
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    services.open_consultation(draft, coordinator, in_future())
    failures = {"staff-cl@example.org": 2}  # the mail server refuses Chile's twice
    send = tasks.send_mail

    def flaky_send(subject, body, sender, recipients):
        if failures.get(recipients[0]):
            failures[recipients[0]] -= 1
            raise OSError("the mail server is briefly away")
        return send(subject, body, sender, recipients)

    monkeypatch.setattr(tasks, "send_mail", flaky_send)
    assert notify_consultation_opened(draft.pk) == len(PARTNERS)
    assert failures == {"staff-cl@example.org": 0}
    assert sorted(m.to[0] for m in mail.outbox) == [
        f"staff-{code.lower()}@example.org" for code in PARTNERS
    ]


def test_focal_points_without_email_or_inactive_are_not_mailed(draft, coordinator):
    services.open_consultation(draft, coordinator, in_future())
    User.objects.filter(username="staff-br").update(email="")
    User.objects.filter(username="staff-cl").update(is_active=False)
    assert notify_consultation_opened(draft.pk) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "staff-co@example.org",
        "staff-cr@example.org",
        "staff-py@example.org",
        "staff-uy@example.org",
    ]


# --- answering ------------------------------------------------------------------------------


def test_first_answer(demo):
    given = answer(2, "BR", Answer.AGREE, "  Brasil concorda.  ")
    assert given.country == country("BR")
    assert given.consultation_round == 1
    assert given.revision == 1
    assert given.given_by == focal_point("BR")
    assert given.comment == "Brasil concorda."
    assert given.given_at is not None


@pytest.mark.parametrize("number", [1, 2])
def test_answers_only_while_in_consultation(demo, coordinator, number):
    if number == 2:
        services.return_to_draft(version(2), coordinator, "More work needed.")
    before = list(Endorsement.objects.values_list("pk", "answer", "revision"))
    with pytest.raises(MethodologyError, match=f"Version {number} is not in consultation"):
        answer(number, "BR")
    assert list(Endorsement.objects.values_list("pk", "answer", "revision")) == before


def test_only_partner_countries_answer(demo, coordinator):
    with pytest.raises(MethodologyError, match="Only partner countries answer consultations."):
        services.answer_consultation(version(2), country("IT"), coordinator, Answer.AGREE)
    assert not Endorsement.objects.filter(country__code="IT").exists()


@pytest.mark.parametrize("comment", ["", "   "])
def test_an_objection_needs_a_reason(demo, comment):
    prep_01 = criterion(2, "PREP-01")
    with pytest.raises(ValidationError) as refused:
        answer(2, "BR", Answer.OBJECT, comment, criterion_comments={prep_01.pk: "Too short."})
    assert "An objection needs a reason" in refused.value.message_dict["comment"][0]
    assert current_answer(2, "BR") is None


def test_agree_with_comments_needs_comments(demo):
    with pytest.raises(ValidationError) as refused:
        answer(2, "BR", Answer.AGREE_WITH_COMMENTS, " ", criterion_comments={1: "  "})
    assert refused.value.message_dict["comment"] == [
        "Write your comments, in general or on the criteria concerned."
    ]
    assert current_answer(2, "BR") is None
    # A comment on one criterion is enough.
    prep_04 = criterion(2, "PREP-04")
    given = answer(
        2, "BR", Answer.AGREE_WITH_COMMENTS, criterion_comments={prep_04.pk: "Em português."}
    )
    assert [(c.criterion, c.text) for c in given.criterion_comments.all()] == [
        (prep_04, "Em português.")
    ]


def test_changing_an_answer(demo):
    before = current_answer(2, "CO")
    assert (before.answer, before.revision) == (Answer.OBJECT, 1)

    changed = answer(2, "CO", Answer.AGREE, "Colombia agrees now.", expected_revision=1)

    assert changed.pk == before.pk
    assert (changed.answer, changed.comment, changed.revision) == (
        Answer.AGREE,
        "Colombia agrees now.",
        2,
    )
    assert Endorsement.objects.filter(version__number=2, country__code="CO").count() == 1
    assert before.history.count() == 2  # both answers are on record


def test_a_stale_answer_is_refused_and_changes_nothing(demo):
    answer(2, "CO", Answer.AGREE, expected_revision=1)  # one tab saves
    saved = current_answer(2, "CO")
    saved_comments = list(saved.criterion_comments.values_list("criterion__code", "text"))

    with pytest.raises(MethodologyError) as refused:  # the other tab, shown revision 1
        answer(
            2,
            "CO",
            Answer.OBJECT,
            "Still too short.",
            criterion_comments={criterion(2, "PREP-04").pk: "Also this."},
            expected_revision=1,
        )

    assert str(refused.value) == str(STALE_MESSAGE)
    after = current_answer(2, "CO")
    assert (after.answer, after.comment, after.revision) == (Answer.AGREE, "", 2)
    assert list(after.criterion_comments.values_list("criterion__code", "text")) == (saved_comments)


def test_a_second_first_answer_is_refused(demo):
    # Paraguay answered already; a form shown before that carries revision 0.
    with pytest.raises(MethodologyError, match="Somebody else saved this in the meantime"):
        answer(2, "PY", Answer.OBJECT, "We object.", expected_revision=0)
    py = current_answer(2, "PY")
    assert (py.answer, py.revision) == (Answer.AGREE, 1)
    assert Endorsement.objects.filter(version__number=2, country__code="PY").count() == 1


def test_changing_an_answer_that_no_longer_exists_is_refused(demo):
    with pytest.raises(MethodologyError, match="The answer you changed no longer exists"):
        answer(2, "BR", Answer.AGREE, expected_revision=3)
    assert current_answer(2, "BR") is None


def test_criterion_comments_are_replaced(demo):
    prep_01, prep_04 = criterion(2, "PREP-01"), criterion(2, "PREP-04")
    before = current_answer(2, "CO")
    assert list(before.criterion_comments.values_list("criterion", flat=True)) == [prep_01.pk]

    changed = answer(
        2,
        "CO",
        Answer.OBJECT,
        OBJECTION,
        criterion_comments={
            prep_04.pk: "  Budget it from the start.  ",
            prep_01.pk: "   ",  # emptied: the remark goes
            criterion(1, "PLAN-01").pk: "A criterion of another version is ignored.",
        },
        expected_revision=1,
    )

    assert list(changed.criterion_comments.values_list("criterion", "text")) == [
        (prep_04.pk, "Budget it from the start.")
    ]
    assert CriterionComment.objects.filter(endorsement__version__number=2).count() == 2  # CL, CO


# --- comments -------------------------------------------------------------------------------


def test_comments_while_in_consultation(demo, staff_py):
    prep_04 = criterion(2, "PREP-04")
    remark = services.add_comment(version(2), staff_py, "  Which budget line?  ", prep_04)
    assert (remark.author, remark.text, remark.criterion) == (
        staff_py,
        "Which budget line?",
        prep_04,
    )


@pytest.mark.parametrize("number", [1, 2])
def test_no_comments_outside_consultation(draft, staff_py, number):
    with pytest.raises(MethodologyError, match="Comments are open while the version is in"):
        services.add_comment(version(number), staff_py, "Late remark.")
    assert not ConsultationComment.objects.exists()


# --- adoption -------------------------------------------------------------------------------


def test_blockers_name_missing_countries_and_objections(demo):
    blockers = version(2).adoption_blockers()
    assert bool(blockers)
    assert [c.code.code for c in blockers.missing] == ["BR", "CR"]
    assert [e.country.code.code for e in blockers.objections] == ["CO"]
    no_answer, objection = blockers.messages()
    assert no_answer == "No answer yet from: Brazil, Costa Rica."
    assert objection.startswith(f"Colombia objects: {OBJECTION}")


def test_no_blockers_once_everyone_agrees(demo):
    everyone_agrees(2)
    blockers = version(2).adoption_blockers()
    assert not blockers
    assert blockers.messages() == []


def test_adopt_refused_with_missing_answers_and_an_objection(demo, coordinator):
    with pytest.raises(MethodologyError) as refused:
        services.adopt(version(2), coordinator)
    message = str(refused.value)
    assert message.startswith("The version cannot be adopted yet.")
    assert "No answer yet from: Brazil, Costa Rica." in message
    assert f"Colombia objects: {OBJECTION}" in message
    assert version(1).status == Status.ADOPTED
    assert version(2).status == Status.CONSULTATION


def test_adopt_refused_with_missing_answers_only(demo, coordinator):
    answer(2, "CO", Answer.AGREE, expected_revision=1)
    answer(2, "CR")
    with pytest.raises(MethodologyError) as refused:
        services.adopt(version(2), coordinator)
    assert str(refused.value) == ("The version cannot be adopted yet. No answer yet from: Brazil.")


def test_adopt_refused_with_a_standing_objection(demo, coordinator):
    answer(2, "BR")
    answer(2, "CR")
    with pytest.raises(MethodologyError) as refused:
        services.adopt(version(2), coordinator)
    message = str(refused.value)
    assert "No answer yet" not in message
    assert f"Colombia objects: {OBJECTION}" in message
    assert version(2).status == Status.CONSULTATION


def test_a_withdrawn_objection_unblocks_adoption(demo, coordinator):
    answer(2, "BR")
    answer(2, "CR")
    answer(2, "CO", Answer.AGREE_WITH_COMMENTS, "We accept the half-day.", expected_revision=1)
    adopted = services.adopt(version(2), coordinator)
    assert adopted.status == Status.ADOPTED


@pytest.mark.parametrize("number, said", [(1, "adopted"), (3, "draft")])
def test_adopt_refused_when_not_in_consultation(demo, coordinator, number, said):
    if number == 3:
        MethodologyVersion.objects.create(number=3, previous=version(1))
    with pytest.raises(
        MethodologyError,
        match=f"Only a version in consultation can be adopted; version {number} is {said}.",
    ):
        services.adopt(version(number), coordinator)
    assert version(1).status == Status.ADOPTED


def test_adopt(demo, coordinator):
    everyone_agrees(2)
    before = timezone.now()

    adopted = services.adopt(version(2), coordinator)

    v1, v2 = version(1), version(2)
    assert adopted == v2
    assert v2.status == Status.ADOPTED
    assert v2.adopted_by == coordinator and v2.closed_by == coordinator
    assert v2.adopted_at >= before and v2.closed_at == v2.adopted_at
    assert v2.revision == 2
    assert v1.status == Status.SUPERSEDED
    assert v1.revision == 2
    assert services.adopted_version() == v2
    assert list(MethodologyVersion.objects.adopted()) == [v2]


def test_adopt_refused_when_another_version_was_adopted_meanwhile(demo, coordinator):
    # Version 3 was drafted from version 1 too (say, before version 2 existed).
    three = MethodologyVersion.objects.create(
        number=3, previous=version(1), status=Status.CONSULTATION, consultation_round=1
    )
    for code in PARTNERS:
        answer(3, code)
    everyone_agrees(2)
    services.adopt(version(2), coordinator)

    with pytest.raises(MethodologyError) as refused:
        services.adopt(three, coordinator)

    assert str(refused.value) == (
        "Version 2 was adopted in the meantime, and version 3 does not build on it. Return "
        "it to draft and draft again from the adopted version."
    )
    assert version(2).status == Status.ADOPTED
    assert version(3).status == Status.CONSULTATION


def test_the_first_version_is_adopted_without_a_previous_one(db):
    from countries import demo as countries_demo

    countries_demo.load()
    coordinator = User.objects.get(username="coordinator")
    draft = services.draft_new_version(coordinator)
    Criterion.objects.create(
        version=draft, code="PLAN-01", phase=Phase.PLANNING, title="Objectives", text="Agreed."
    )
    services.open_consultation(draft, coordinator, in_future())
    for code in PARTNERS:
        answer(1, code)
    assert services.adopt(draft, coordinator).status == Status.ADOPTED


def test_one_adopted_version_enforced_by_the_database(demo):
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodologyVersion.objects.create(number=3, status=Status.ADOPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        MethodologyVersion.objects.filter(number=2).update(status=Status.ADOPTED)
    # Any number of superseded versions.
    MethodologyVersion.objects.create(number=3, status=Status.SUPERSEDED)
    MethodologyVersion.objects.create(number=4, status=Status.SUPERSEDED)
    assert MethodologyVersion.objects.adopted().count() == 1


# --- returning to draft ---------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "  \n "])
def test_return_to_draft_needs_a_note(demo, coordinator, note):
    with pytest.raises(MethodologyError, match="Say why the version goes back to draft."):
        services.return_to_draft(version(2), coordinator, note)
    assert version(2).status == Status.CONSULTATION


def test_return_to_draft_only_from_consultation(demo, coordinator):
    with pytest.raises(MethodologyError, match="Only a version in consultation can be returned"):
        services.return_to_draft(version(1), coordinator, "Why not.")
    assert version(1).status == Status.ADOPTED


def test_return_to_draft(demo, coordinator):
    services.return_to_draft(version(2), coordinator, "  Colombia's objection needs work.  ")
    v2 = version(2)
    assert v2.status == Status.DRAFT
    assert v2.return_note == "Colombia's objection needs work."
    assert v2.closed_by == coordinator and v2.closed_at is not None
    assert v2.consultation_round == 1  # the next opening starts round 2
    # The draft can be edited again.
    services.move_criterion(v2.criteria.get(code="PLAN-02"), -1)


def test_a_retired_criterion_leaves_the_remarks_of_earlier_rounds(demo, coordinator):
    prep_01 = criterion(2, "PREP-01")
    answer(2, "BR", Answer.AGREE_WITH_COMMENTS, criterion_comments={prep_01.pk: "Too short."})
    services.return_to_draft(version(2), coordinator, "Rework PREP-01.")
    services.retire_criterion(prep_01)
    (remark,) = CriterionComment.objects.filter(text="Too short.")
    assert (remark.criterion, remark.criterion_code) == (None, "PREP-01")
    assert (remark.endorsement.country.code, remark.endorsement.consultation_round) == ("BR", 1)
    assert str(remark) == "PREP-01: Too short."


def test_answers_of_an_earlier_round_no_longer_count(demo, coordinator):
    services.return_to_draft(version(2), coordinator, "Rework PREP-01.")
    services.open_consultation(version(2), coordinator, in_future())

    v2 = version(2)
    assert v2.consultation_round == 2
    blockers = v2.adoption_blockers()
    assert [c.code.code for c in blockers.missing] == PARTNERS
    assert blockers.objections == []
    with pytest.raises(MethodologyError, match="Brazil, Chile, Colombia, Costa Rica, Paraguay"):
        services.adopt(v2, coordinator)
    # The answers of round 1 stay on record.
    assert Endorsement.objects.filter(version=v2, consultation_round=1).count() == 4
    # Paraguay answers afresh in round 2, with a form that shows no answer.
    given = answer(2, "PY", Answer.AGREE, expected_revision=0)
    assert (given.consultation_round, given.revision) == (2, 1)
    assert [c.code.code for c in version(2).adoption_blockers().missing] == [
        "BR",
        "CL",
        "CO",
        "CR",
        "UY",
    ]


# --- comparing versions ---------------------------------------------------------------------


def summary(changes):
    return [
        (change.kind, (change.new or change.old).code, change.old and change.old.version.number)
        for change in changes
    ]


def test_compare_the_demo_versions(demo):
    changes = services.compare_versions(version(2))
    assert summary(changes) == [("changed", "PREP-01", 1), ("added", "PREP-04", None)]
    changed, added = changes
    assert changed.old == criterion(1, "PREP-01")
    assert changed.new == criterion(2, "PREP-01")
    deleted = " ".join(text for op, text in changed.text_diff() if op == "delete")
    inserted = " ".join(text for op, text in changed.text_diff() if op == "insert")
    assert "dedicated sessions" in deleted and "half-day" not in deleted
    assert "remotely" in inserted and "dedicated" not in inserted
    assert changed.title_diff() == [("equal", changed.new.title)]
    assert added.text_diff() == [("insert", added.new.text)]


def test_compare_lists_removed_and_changed_fields_not_order(draft):
    services.retire_criterion(draft.criteria.get(code="COND-02"))
    services.move_criterion(draft.criteria.get(code="PLAN-04"), -1)  # order only: unchanged
    draft.criteria.filter(code="SYST-02").update(title="Recommendations with an owner")
    draft.criteria.filter(code="FOLL-01").update(rationale="Follow-up is the collaboration.")
    draft.criteria.filter(code="PLAN-02").update(phase=Phase.PREPARATION)
    draft.criteria.filter(code="PREP-03").update(code="PREP-09")

    assert sorted(summary(services.compare_versions(draft))) == [
        ("changed", "FOLL-01", 1),
        ("changed", "PLAN-02", 1),
        ("changed", "PREP-09", 1),
        ("changed", "SYST-02", 1),
        ("removed", "COND-02", 1),
    ]


def test_compare_a_version_without_previous(db):
    first = MethodologyVersion.objects.create(number=1)
    Criterion.objects.create(
        version=first, code="PLAN-01", phase=Phase.PLANNING, title="T", text="Text"
    )
    assert summary(services.compare_versions(first)) == [("added", "PLAN-01", None)]


def test_diff_words():
    assert services.diff_words("a quick  fox", "a slow  fox") == [
        ("equal", "a "),
        ("delete", "quick"),
        ("insert", "slow"),
        ("equal", "  fox"),
    ]
    assert services.diff_words("", "new text") == [("insert", "new text")]
    assert services.diff_words("old text", "") == [("delete", "old text")]
    assert services.diff_words("same", "same") == [("equal", "same")]
    assert services.diff_words("", "") == []


@pytest.mark.parametrize(
    "old, new",
    [
        ("The agenda spares time.", "The agenda spares the officials' time.\nAlways."),
        ("one two three four", "four three two one"),
        ("  leading and trailing  ", "leading, trailing"),
    ],
)
def test_diff_words_rebuilds_both_texts(old, new):
    diff = services.diff_words(old, new)
    assert "".join(text for op, text in diff if op != "insert") == old
    assert "".join(text for op, text in diff if op != "delete") == new


# --- the focal points' dashboard ------------------------------------------------------------


def test_open_consultations_with_the_answers_of_given_countries(demo, coordinator):
    v2 = version(2)
    assert services.open_consultations() == [(v2, [])]
    assert services.open_consultations([country("PY").pk]) == [(v2, [current_answer(2, "PY")])]
    assert services.open_consultations([country("BR").pk]) == [(v2, [])]

    services.return_to_draft(v2, coordinator, "Rework.")
    assert services.open_consultations([country("PY").pk]) == []

    services.open_consultation(v2, coordinator, in_future())
    assert services.open_consultations([country("PY").pk]) == [(version(2), [])]


# --- reminders ------------------------------------------------------------------------------


def set_deadline(days):
    MethodologyVersion.objects.filter(number=2).update(deadline=in_future(days))


def test_no_reminder_long_before_the_deadline(demo):
    set_deadline(4)
    assert send_consultation_reminders() == 0
    assert mail.outbox == []
    assert version(2).reminder_sent_round == 0


@pytest.mark.parametrize("days", [3, 1, 0])
def test_reminders_go_to_countries_that_have_not_answered(demo, days):
    set_deadline(days)
    assert send_consultation_reminders() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == ["staff-br@example.org", "staff-cr@example.org"]
    assert by_recipient["staff-br@example.org"].subject == (
        "Lembrete: sua resposta sobre a versão 2 da metodologia"
    )
    assert by_recipient["staff-cr@example.org"].subject == (
        "Recordatorio: su respuesta sobre la versión 2 de la metodología"
    )
    url = f"{django_settings.SITE_URL}/methodology/versions/2/"
    assert all(url in message.body for message in mail.outbox)


def test_no_reminder_after_the_deadline(demo):
    set_deadline(-1)
    assert send_consultation_reminders() == 0
    assert mail.outbox == []


def test_a_reminder_is_sent_once_per_round(demo, coordinator):
    set_deadline(2)
    assert send_consultation_reminders() == 2
    assert send_consultation_reminders() == 0
    assert len(mail.outbox) == 2

    # Reopened after a return to draft: a new round, and nobody has answered it.
    services.return_to_draft(version(2), coordinator, "Rework.")
    services.open_consultation(version(2), coordinator, in_future(2))
    mail.outbox.clear()
    assert send_consultation_reminders() == 6
    assert send_consultation_reminders() == 0


def test_no_reminder_for_a_version_not_in_consultation(demo, coordinator):
    set_deadline(2)
    services.return_to_draft(version(2), coordinator, "Rework.")
    assert send_consultation_reminders() == 0
    assert mail.outbox == []
