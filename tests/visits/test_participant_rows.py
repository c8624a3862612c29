"""A formset refuses rows it did not show (core.forms.OwnRowsInlineFormSet), saying so."""

from django.urls import reverse
from django.utils import translation

from core.forms import FOREIGN_ROW_MESSAGE
from tests.support.html import form_data, text
from visits.models import Participant, Visit


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
