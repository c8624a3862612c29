"""Actors: the list with its filters, the detail page, and the project team's forms."""

import pytest
from django.contrib.auth import get_user_model

from countries.models import Actor, Country, Membership, Person
from tests.support.html import find, input_value, text

LIST = "/countries/actors/"
CANCEL = {"class": "btn btn-outline-secondary"}


def names(response):
    return [actor.name for actor in response.context["object_list"]]


def add_actors(count, country=None, kind=Actor.Kind.OTHER):
    """``count`` actors, each with two people, named so that they sort in creation order."""
    for number in range(count):
        actor = Actor.objects.create(name=f"Red local {number:03d}", country=country, kind=kind)
        for role in ("political", "technical"):
            Person.objects.create(name=f"{role} {number}", actor=actor, exchange_role=role)


@pytest.fixture
def mides(demo):
    return Actor.objects.get(acronym="MIDES")


@pytest.fixture
def form_data(demo):
    return {
        "name": "Red Pro Cuidados",
        "acronym": "RPC",
        "kind": Actor.Kind.CIVIL_SOCIETY,
        "country": Country.objects.get(code="UY").pk,
        "website": "https://redprocuidados.example.org/",
        "is_partner": "",
        "needs_review": "",
        "review_note": "",
    }


# --- list ------------------------------------------------------------------------------


def test_list_shows_the_demo_actors_by_name(client, staff_py):
    client.force_login(staff_py)
    response = client.get(LIST)
    assert response.status_code == 200
    assert len(names(response)) == 7
    assert names(response) == sorted(names(response))
    content = text(response)
    assert "Organización Internacional Ítalo-Latinoamericana (IILA)" in content
    assert "Needs review" in content  # Brasil's badge


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "international"}, ["Organización Internacional Ítalo-Latinoamericana"]),
        ({"needs_review": "true"}, ["Brasil"]),
        ({"q": "mides"}, ["Ministerio de Desarrollo Social"]),  # the acronym
        ({"q": "niñez"}, ["Ministerio de la Niñez y la Adolescencia"]),
        ({"q": "nothing like this"}, []),
    ],
)
def test_filters(client, staff_py, query, expected):
    client.force_login(staff_py)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_filter_by_country(client, staff_py):
    client.force_login(staff_py)
    chile = Country.objects.get(code="CL")
    response = client.get(LIST, {"country": chile.pk})
    assert [str(actor) for actor in response.context["object_list"]] == [
        "Ministerio de Desarrollo Social"
    ]
    assert response.context["object_list"][0].country == chile


def test_filter_not_needing_review(client, staff_py):
    client.force_login(staff_py)
    response = client.get(LIST, {"needs_review": "false"})
    assert len(names(response)) == 6
    assert "Brasil" not in names(response)


def test_filters_combine(client, staff_py):
    client.force_login(staff_py)
    response = client.get(LIST, {"q": "desarrollo", "kind": "government"})
    assert len(names(response)) == 3
    response = client.get(LIST, {"q": "desarrollo", "kind": "international"})
    assert names(response) == []
    assert "No actors match these filters." in text(response)


def test_filter_form_keeps_the_choices(client, staff_py):
    client.force_login(staff_py)
    response = client.get(LIST, {"q": "mides", "kind": "government"})
    assert input_value(response, "q") == "mides"
    assert response.context["filter"].form["kind"].value() == "government"


def test_invalid_filter_value_is_not_an_error(client, staff_py):
    client.force_login(staff_py)
    response = client.get(LIST, {"country": "999999", "kind": "nonsense"})
    assert response.status_code == 200


def test_list_paginates(client, staff_py):
    add_actors(60)  # 67 with the demo's
    client.force_login(staff_py)
    first = client.get(LIST)
    assert len(names(first)) == 50
    assert "Page 1 of 2" in text(first)
    assert find(first, "a", href="?page=2")
    second = client.get(LIST, {"page": 2})
    assert len(names(second)) == 17
    assert not set(names(first)) & set(names(second))
    assert client.get(LIST, {"page": 3}).status_code == 404


def test_pagination_keeps_the_filters(client, staff_py):
    add_actors(55, kind=Actor.Kind.ACADEMIA)
    client.force_login(staff_py)
    response = client.get(LIST, {"kind": "academia"})
    assert len(names(response)) == 50
    assert find(response, "a", href="?kind=academia&page=2")
    assert len(names(client.get(LIST, {"kind": "academia", "page": 2}))) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LIST, "/countries/people/", "/countries/"])
def test_list_queries_do_not_grow(client, django_assert_max_num_queries, path):
    country = Country.objects.create(code="UY")
    user = get_user_model().objects.create_user("projectteam")
    team = Actor.objects.create(name="Equipo del proyecto", country=country)
    Membership.objects.create(user=user, actor=team, role=Membership.Role.PROJECT_TEAM)
    add_actors(4, country=country)  # 5 actors
    client.force_login(user)

    # Session, user, roles, the list (count and page, or the figures and the focal
    # points' prefetch), the filter's countries, the navigation bar's unread notifications and
    # to-do count.
    with django_assert_max_num_queries(8) as few:
        response = client.get(path)
    assert response.status_code == 200

    add_actors(55, country=Country.objects.create(code="PY"))  # 60 actors, 118 people
    with django_assert_max_num_queries(8) as many:
        response = client.get(path)
    assert response.status_code == 200
    assert len(many) == len(few)


# --- detail -------------------------------------------------------------------------------


def test_detail(client, staff_py, mides):
    client.force_login(staff_py)
    response = client.get(f"/countries/actors/{mides.pk}/")
    assert response.status_code == 200
    content = text(response)
    assert "Ministerio de Desarrollo Social (MIDES)" in content
    assert "Government ministry or agency" in content
    assert "Lucía Pereira" in content  # its people
    assert "Martín Fernández · Ministry staff Focal point" in content  # its users
    assert find(response, "a", href="/countries/UY/")


def test_detail_of_actor_to_review(client, coordinator):
    client.force_login(coordinator)
    brasil = Actor.objects.get(name="Brasil")
    content = text(client.get(brasil.get_absolute_url()))
    assert "Needs review." in content
    assert "Please record the Brazilian ministry or agency" in content


@pytest.mark.parametrize("username", ["staff-uy", "coordinator"])
def test_no_edit_buttons_for_readers(client, demo, mides, username):
    client.force_login(get_user_model().objects.get(username=username))
    detail = client.get(mides.get_absolute_url())
    assert not find(detail, "a", href=f"/countries/actors/{mides.pk}/edit/")
    assert not find(client.get(LIST), "a", href="/countries/actors/new/")


def test_edit_buttons_for_the_project_team(client, projectteam, mides):
    client.force_login(projectteam)
    detail = client.get(mides.get_absolute_url())
    assert find(detail, "a", href=f"/countries/actors/{mides.pk}/edit/")
    assert find(client.get(LIST), "a", href="/countries/actors/new/")


# --- forms -----------------------------------------------------------------------------------


def test_create(client, projectteam, form_data):
    client.force_login(projectteam)
    page = client.get("/countries/actors/new/")
    assert page.status_code == 200
    assert "Add an actor" in text(page)
    assert find(page, "a", href=LIST, **CANCEL)

    response = client.post("/countries/actors/new/", form_data, follow=True)
    actor = Actor.objects.get(name="Red Pro Cuidados")
    assert response.redirect_chain == [(f"/countries/actors/{actor.pk}/", 302)]
    assert "Actor “Red Pro Cuidados” saved." in text(response)
    assert actor.acronym == "RPC"
    assert actor.kind == Actor.Kind.CIVIL_SOCIETY
    assert actor.country.code == "UY"
    assert actor.website == "https://redprocuidados.example.org/"
    assert not actor.needs_review


def test_create_without_country(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data.update(name="Red Calle", country="", kind=Actor.Kind.OTHER)
    response = client.post("/countries/actors/new/", form_data)
    assert response.status_code == 302
    assert Actor.objects.get(name="Red Calle").country is None


def test_edit(client, projectteam, mides):
    client.force_login(projectteam)
    url = f"/countries/actors/{mides.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert input_value(page, "name") == "Ministerio de Desarrollo Social"
    assert find(page, "a", href=f"/countries/actors/{mides.pk}/", **CANCEL)

    response = client.post(
        url,
        {
            "revision": mides.revision,
            "name": "Ministerio de Desarrollo Social",
            "acronym": "MIDES",
            "kind": Actor.Kind.GOVERNMENT,
            "country": mides.country_id,
            "website": "https://www.gub.uy/ministerio-desarrollo-social/",
            "is_partner": "on",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/countries/actors/{mides.pk}/", 302)]
    assert "Actor “Ministerio de Desarrollo Social” saved." in text(response)
    mides.refresh_from_db()
    assert mides.website == "https://www.gub.uy/ministerio-desarrollo-social/"
    assert mides.is_partner


def test_complete_the_actor_to_review(client, projectteam):
    brasil = Actor.objects.get(name="Brasil")
    client.force_login(projectteam)
    response = client.post(
        f"/countries/actors/{brasil.pk}/edit/",
        {
            "revision": brasil.revision,
            "name": "Secretaria Nacional da Política de Cuidados e Família",
            "kind": Actor.Kind.GOVERNMENT,
            "country": brasil.country_id,
            "is_partner": "on",
            "needs_review": "",
            "review_note": "",
        },
    )
    assert response.status_code == 302
    brasil.refresh_from_db()
    assert not brasil.needs_review
    assert not Actor.objects.filter(needs_review=True).exists()


def test_missing_name(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data["name"] = ""
    response = client.post("/countries/actors/new/", form_data)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert "This field is required." in text(response)
    (name_input,) = find(response, "input", name="name")
    assert "is-invalid" in name_input["class"]
    # What was typed is kept.
    assert input_value(response, "acronym") == "RPC"
    assert input_value(response, "website") == "https://redprocuidados.example.org/"
    assert not Actor.objects.filter(acronym="RPC").exists()


def test_bad_website(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data["website"] = "not a web address"
    response = client.post("/countries/actors/new/", form_data)
    assert response.status_code == 200
    assert response.context["form"].errors["website"] == ["Enter a valid URL."]
    assert "Enter a valid URL." in text(response)
    assert input_value(response, "website") == "not a web address"
    assert input_value(response, "name") == "Red Pro Cuidados"
    assert not Actor.objects.filter(name="Red Pro Cuidados").exists()


def test_bad_website_in_spanish(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data["website"] = "not a web address"
    response = client.post("/countries/actors/new/", form_data, HTTP_ACCEPT_LANGUAGE="es")
    assert "Introduzca una URL válida." in text(response)


def test_same_name_twice_in_a_country(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data.update(name="Ministerio de Desarrollo Social", acronym="")
    response = client.post("/countries/actors/new/", form_data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Actor.objects.filter(name="Ministerio de Desarrollo Social").count() == 2  # CL, UY


def test_edit_error_keeps_the_typed_values(client, projectteam, mides):
    client.force_login(projectteam)
    response = client.post(
        f"/countries/actors/{mides.pk}/edit/",
        {"name": "", "acronym": "MIDES-UY", "kind": Actor.Kind.GOVERNMENT},
    )
    assert response.status_code == 200
    assert input_value(response, "acronym") == "MIDES-UY"
    mides.refresh_from_db()
    assert mides.acronym == "MIDES"
