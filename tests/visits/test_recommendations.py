"""The recommendations still followed up (/visits/recommendations/), linked from dashboards."""

from django.urls import reverse

from visits.models import Finding

URL = reverse("visits:recommendations")
UNFINISHED = [Finding.FollowUp.OPEN, Finding.FollowUp.ACCEPTED, Finding.FollowUp.IN_PROGRESS]


def listed(response):
    return [finding.pk for finding in response.context["page_obj"].paginator.object_list]


def test_staff_see_the_recommendations_their_country_hosted(client, demo_visits, staff_uy):
    client.force_login(staff_uy)
    response = client.get(URL)
    assert response.status_code == 200
    expected = Finding.objects.filter(
        kind=Finding.Kind.RECOMMENDATION,
        follow_up_status__in=UNFINISHED,
        visit__host_country__code="UY",
    ).order_by("-pk")
    assert expected.exists()
    assert listed(response) == list(expected.values_list("pk", flat=True))


def test_the_coordinator_sees_every_unfinished_recommendation(client, demo_visits, coordinator):
    client.force_login(coordinator)
    expected = Finding.objects.filter(
        kind=Finding.Kind.RECOMMENDATION, follow_up_status__in=UNFINISHED
    ).order_by("-pk")
    assert listed(client.get(URL)) == list(expected.values_list("pk", flat=True))
    done = Finding.objects.filter(follow_up_status=Finding.FollowUp.IMPLEMENTED).first()
    assert done.pk not in listed(client.get(URL))


def test_signing_in_is_required(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_queries_do_not_grow_with_the_recommendations(
    client, demo_visits, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(12) as before:
        client.get(URL)
    finding = Finding.objects.filter(kind=Finding.Kind.RECOMMENDATION).first()
    for number in range(30):
        finding.pk = None
        finding.title = f"More {number}"
        finding.follow_up_status = Finding.FollowUp.OPEN
        finding.save()
    with django_assert_max_num_queries(12) as after:
        response = client.get(URL)
    assert len(after) == len(before)
    assert len(response.context["recommendations"]) == 25  # one page
