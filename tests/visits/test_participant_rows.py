"""A formset refuses rows it did not show, saying so: the inline formsets
(core.forms.OwnRowsInlineFormSet) and the compliance checklist."""

from django.urls import reverse
from django.utils import translation

from core.forms import FOREIGN_ROW_MESSAGE
from tests.support.html import form_data, text
from visits.methodology.models import Criterion
from visits.models import ComplianceCheck, Participant, Visit


def _delegations():
    visit = Visit.objects.get(title="Care in rural territories")
    return (
        visit,
        visit.delegations.get(country__code="PY"),
        visit.delegations.get(country__code="BR"),
    )


def test_another_countrys_participant_row_is_refused(client, demo_visits, staff_py):
    visit, own, other = _delegations()
    url = reverse("visits:participants", kwargs={"pk": visit.pk, "delegation_id": own.pk})
    client.force_login(staff_py)
    fields, _ = form_data(client.get(url), "participants-0-id")
    brazilian = other.participants.order_by("pk").first()
    role_before = brazilian.role
    fields["participants-0-id"] = [str(brazilian.pk)]
    fields["participants-0-role"] = ["observer" if role_before != "observer" else "political"]

    refused = client.post(url, fields)

    assert refused.status_code == 200
    with translation.override(refused.wsgi_request.LANGUAGE_CODE):
        assert str(FOREIGN_ROW_MESSAGE) in text(refused)
    assert Participant.objects.get(pk=brazilian.pk).role == role_before
    assert not refused.context["formset"].is_valid()


def test_a_row_deleted_meanwhile_is_refused_not_silently_dropped(client, demo_visits, staff_py):
    visit, own, _other = _delegations()
    url = reverse("visits:participants", kwargs={"pk": visit.pk, "delegation_id": own.pk})
    client.force_login(staff_py)
    fields, _ = form_data(client.get(url), "participants-0-id")
    Participant.objects.filter(pk=fields["participants-0-id"][0]).delete()

    refused = client.post(url, fields)

    assert refused.status_code == 200
    with translation.override(refused.wsgi_request.LANGUAGE_CODE):
        assert str(FOREIGN_ROW_MESSAGE) in text(refused)


def test_the_own_rows_still_save(client, demo_visits, staff_py):
    visit, own, _other = _delegations()
    url = reverse("visits:participants", kwargs={"pk": visit.pk, "delegation_id": own.pk})
    client.force_login(staff_py)
    fields, _ = form_data(client.get(url), "participants-0-id")
    fields["participants-0-role"] = ["observer"]

    assert client.post(url, fields).status_code == 302
    assert Participant.objects.get(pk=fields["participants-0-id"][0]).role == "observer"


# --- the compliance checklist (a plain formset: one form per criterion of the version) -------


def _checklist(client, user):
    visit = Visit.objects.get(title="Care in rural territories")  # planned, hosted by Uruguay
    assert visit.host_country.code == "UY"
    url = reverse("visits:compliance", args=[visit.pk])
    client.force_login(user)
    fields, _ = form_data(client.get(url), "form-0-criterion_id")
    return visit, url, fields


def test_a_criterion_of_another_version_is_refused_not_skipped(client, demo_visits, staff_uy):
    visit, url, fields = _checklist(client, staff_uy)
    foreign = Criterion.objects.exclude(version=visit.methodology_version).first()
    fields["form-0-criterion_id"] = [str(foreign.pk)]
    fields["form-0-status"] = ["met"]

    refused = client.post(url, fields)

    assert refused.status_code == 200
    with translation.override(refused.wsgi_request.LANGUAGE_CODE):
        assert str(FOREIGN_ROW_MESSAGE) in text(refused)
    assert not ComplianceCheck.objects.filter(visit=visit, criterion=foreign).exists()
    assert not visit.compliance_checks.exists()


def test_a_criterion_sent_twice_is_refused(client, demo_visits, staff_uy):
    visit, url, fields = _checklist(client, staff_uy)
    fields["form-1-criterion_id"] = fields["form-0-criterion_id"]
    fields["form-0-status"] = ["met"]
    fields["form-1-status"] = ["not_met"]

    refused = client.post(url, fields)

    assert refused.status_code == 200
    with translation.override(refused.wsgi_request.LANGUAGE_CODE):
        assert str(FOREIGN_ROW_MESSAGE) in text(refused)
    assert not visit.compliance_checks.exists()


def test_the_checklist_still_saves(client, demo_visits, staff_uy):
    visit, url, fields = _checklist(client, staff_uy)
    fields["form-0-status"] = ["met"]

    assert client.post(url, fields).status_code == 302
    (check,) = visit.compliance_checks.all()
    assert str(check.criterion_id) == fields["form-0-criterion_id"][0]
    assert check.status == "met"
