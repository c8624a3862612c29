"""A revision of the criteria drawn from a finding says what it came from only to those who may
see the finding's visit: its title is never copied into the proposal or the criterion, where
every member reads them."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from countries.models import Country
from visits.methodology.models import Criterion, MethodologyVersion, RevisionProposal
from visits.models import Delegation, Finding, Visit

SECRET = "The unpublished budget gap of Paraguay"


@pytest.fixture
def finding(demo):
    """A finding of a visit Paraguay hosted, joined by Uruguay only: Chile may not see it."""
    paraguay = Country.objects.get(code="PY")
    visit = Visit.objects.create(
        host_country=paraguay,
        title="A visit of two",
        start_date=date(2024, 3, 4),
        end_date=date(2024, 3, 5),
        status=Visit.Status.CONDUCTED,
    )
    Delegation.objects.create(visit=visit, country=paraguay, is_host=True)
    uruguay = Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    return Finding.objects.create(
        visit=visit,
        delegation=uruguay,
        kind=Finding.Kind.RECOMMENDATION,
        title=SECRET,
        text=f"{SECRET}: the details.",
    )


def signed_in(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_a_proposal_from_a_finding_starts_from_nothing_of_it(client, finding):
    page = signed_in(client, "coordinator").get(
        reverse("methodology:propose"), {"finding": finding.pk}
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert SECRET not in str(form.initial) and not form["title"].value()


@pytest.mark.parametrize("proposer", ["coordinator", "staff-uy"])
def test_the_finding_stays_hidden_from_countries_that_did_not_take_part(client, finding, proposer):
    # The demo's version 2 is in consultation: back to draft, a coordinator's proposal lands in it.
    MethodologyVersion.objects.filter(number=2).update(status=MethodologyVersion.Status.DRAFT)
    signed_in(client, proposer).post(
        f"{reverse('methodology:propose')}?finding={finding.pk}",
        {"finding": finding.pk, "revises": "", "code": "FOLL-09", "phase": "follow_up",
         "title": "Follow up every recommendation", "text": "Within six months.",
         "rationale": "What was recommended is otherwise forgotten."},
    )  # fmt: skip
    proposal = RevisionProposal.objects.get()
    assert SECRET not in f"{proposal.title} {proposal.text} {proposal.rationale}"
    criterion = Criterion.objects.filter(origin_finding=finding).first()
    if criterion is not None:  # the coordinator's lands in the draft at once
        assert SECRET not in criterion.origin
    chile = signed_in(client, "staff-cl")
    pages = [reverse("methodology:version_list"), reverse("methodology:adopted")]
    if criterion is not None:
        pages.append(criterion.version.get_absolute_url())
    for url in pages:
        content = chile.get(url).content.decode()
        assert SECRET not in content, url
        assert finding.visit.get_absolute_url() not in content, url
    if criterion is not None:
        page = chile.get(criterion.version.get_absolute_url()).content.decode()
        assert "Proposed by a finding of a visit you cannot open." in page
        # Uruguay, which took part, reads where the criterion came from.
        uruguay = signed_in(client, "staff-uy").get(criterion.version.get_absolute_url())
        assert SECRET in uruguay.content.decode()
