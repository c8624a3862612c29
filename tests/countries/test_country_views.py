"""Countries: the overview, one country with its actors, and the project team's forms."""

import pytest
from django.contrib.auth import get_user_model

from countries.models import Actor, Country, Membership
from tests.support.html import find, text

LIST = "/countries/"


def test_list(client, staff_br):
    client.force_login(staff_br)
    response = client.get(LIST)
    assert response.status_code == 200
    countries = list(response.context["object_list"])
    assert [country.code.code for country in countries] == [
        "BR", "CL", "CO", "CR", "IT", "PY", "UY"
    ]  # fmt: skip
    paraguay = countries[5]
    assert (paraguay.num_actors, paraguay.num_people) == (1, 2)
    content = text(response)
    assert "Paraguay Partner 1 2 María José Giménez" in content
    assert "Italy Coordinator 1 2 —" in content


def test_list_flags_a_partner_without_focal_point(client, staff_br):
    Membership.objects.filter(user__username="staff-cl").update(is_focal_point=False)
    client.force_login(staff_br)
    assert "Chile Partner 1 2 Missing" in text(client.get(LIST))


def test_detail(client, staff_br):
    client.force_login(staff_br)
    response = client.get("/countries/PY/")
    assert response.status_code == 200
    content = text(response)
    assert "Paraguay Partner" in content
    assert "Ministerio de la Niñez y la Adolescencia Government ministry or agency 2" in content
    assert "María José Giménez" in content  # the focal point
    actor = Actor.objects.get(country__code="PY")
    assert find(response, "a", href=f"/countries/actors/{actor.pk}/")


def test_detail_lists_actors_by_name(client, staff_br):
    paraguay = Country.objects.get(code="PY")
    for name in ["Zona Cuidados", "Asociación de Cuidadoras", "Mesa Interinstitucional"]:
        Actor.objects.create(name=name, country=paraguay)
    client.force_login(staff_br)
    actors = [actor.name for actor in client.get("/countries/PY/").context["actors"]]
    assert actors == sorted(actors)
    assert len(actors) == 4


def test_detail_of_country_without_actors(client, projectteam):
    Country.objects.create(code="AR", programme_role=Country.ProgrammeRole.OBSERVER)
    client.force_login(projectteam)
    content = text(client.get("/countries/AR/"))
    assert "Argentina Observer" in content
    assert "No actors of this country are recorded yet." in content


@pytest.mark.parametrize("username", ["staff-py", "coordinator"])
def test_no_edit_buttons_for_readers(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    assert not find(client.get("/countries/PY/"), "a", href="/countries/PY/edit/")
    assert not find(client.get(LIST), "a", href="/countries/new/")


def test_edit_buttons_for_the_project_team(client, projectteam):
    client.force_login(projectteam)
    assert find(client.get("/countries/PY/"), "a", href="/countries/PY/edit/")
    assert find(client.get(LIST), "a", href="/countries/new/")


def test_create(client, projectteam):
    client.force_login(projectteam)
    assert client.get("/countries/new/").status_code == 200
    response = client.post(
        "/countries/new/", {"code": "AR", "programme_role": "observer"}, follow=True
    )
    assert response.redirect_chain == [("/countries/AR/", 302)]
    assert "Country saved." in text(response)
    assert Country.objects.get(code="AR").programme_role == "observer"


def test_create_existing_country(client, projectteam):
    client.force_login(projectteam)
    response = client.post("/countries/new/", {"code": "PY", "programme_role": "observer"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert Country.objects.get(code="PY").programme_role == "partner"


def test_create_unknown_code(client, projectteam):
    client.force_login(projectteam)
    response = client.post("/countries/new/", {"code": "XX", "programme_role": "partner"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Country.objects.filter(code="XX").exists()


def test_edit(client, projectteam):
    client.force_login(projectteam)
    page = client.get("/countries/CR/edit/")
    assert page.status_code == 200
    response = client.post(
        "/countries/CR/edit/",
        {"code": "CR", "programme_role": "observer", "revision": 1},
        follow=True,
    )
    assert response.redirect_chain == [("/countries/CR/", 302)]
    assert "Country saved." in text(response)
    assert Country.objects.get(code="CR").programme_role == "observer"
