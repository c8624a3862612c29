"""People: the list with its filters, the detail page, and the project team's forms."""

import pytest
from django.contrib.auth import get_user_model

from countries.models import Actor, Country, Person
from tests.support.html import find, input_value, text

LIST = "/countries/people/"
CANCEL = {"class": "btn btn-outline-secondary"}


def checked_languages(response):
    return [box["value"] for box in find(response, "input", name="languages") if "checked" in box]


def names(response):
    return [person.name for person in response.context["object_list"]]


@pytest.fixture
def mides(demo):
    return Actor.objects.get(acronym="MIDES")


@pytest.fixture
def lucia(demo):
    return Person.objects.get(name="Lucía Pereira")


@pytest.fixture
def form_data(mides):
    return {
        "name": "Sofía Rodríguez",
        "position": "Asesora del Sistema de Cuidados",
        "email": "sofia.rodriguez@example.org",
        "actor": mides.pk,
        "exchange_role": Person.ExchangeRole.TECHNICAL,
        "languages": ["es", "pt"],
        "notes": "Joins the visit to Paraguay.",
    }


# --- list ---------------------------------------------------------------------------------


def test_list(client, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST)
    assert response.status_code == 200
    assert len(names(response)) == 14
    assert names(response) == sorted(names(response))
    assert "Ministerio de la Niñez y la Adolescencia" in text(response)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "pereira"}, ["Lucía Pereira"]),
        ({"country": "UY"}, ["Lucía Pereira", "Martín Fernández"]),
        ({"country": "UY", "exchange_role": "political"}, ["Lucía Pereira"]),
        ({"q": "nobody at all"}, []),
    ],
)
def test_filters(client, coordinator, query, expected):
    client.force_login(coordinator)
    if "country" in query:
        query = {**query, "country": Country.objects.get(code=query["country"]).pk}
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_filter_by_role(client, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST, {"exchange_role": "political"})
    people = response.context["object_list"]
    assert len(people) == 6  # one per partner institution; IILA sends technicians
    assert {person.exchange_role for person in people} == {"political"}


def test_no_match(client, coordinator):
    client.force_login(coordinator)
    assert "No people match these filters." in text(client.get(LIST, {"q": "zzz"}))


def test_list_paginates(client, coordinator, mides):
    for number in range(60):
        Person.objects.create(name=f"Delegada {number:02d}", actor=mides, exchange_role="technical")
    client.force_login(coordinator)
    first = client.get(LIST)
    assert len(names(first)) == 50
    assert "Page 1 of 2" in text(first)
    second = client.get(LIST, {"page": 2})
    assert len(names(second)) == 24
    assert not set(names(first)) & set(names(second))


# --- detail ---------------------------------------------------------------------------------


def test_detail(client, staff_py, lucia):
    client.force_login(staff_py)
    response = client.get(f"/countries/people/{lucia.pk}/")
    assert response.status_code == 200
    content = text(response)
    assert "Directora Nacional de Cuidados" in content
    assert "Ministerio de Desarrollo Social (MIDES) · Uruguay" in content
    assert "Spanish, Portuguese" in content
    assert find(response, "a", href="mailto:lucia.pereira@example.org")


@pytest.mark.parametrize("username", ["staff-py", "coordinator"])
def test_no_edit_buttons_for_readers(client, demo, lucia, username):
    client.force_login(get_user_model().objects.get(username=username))
    detail = client.get(f"/countries/people/{lucia.pk}/")
    assert not find(detail, "a", href=f"/countries/people/{lucia.pk}/edit/")
    assert not find(client.get(LIST), "a", href="/countries/people/new/")


def test_edit_buttons_for_the_project_team(client, projectteam, lucia):
    client.force_login(projectteam)
    detail = client.get(f"/countries/people/{lucia.pk}/")
    assert find(detail, "a", href=f"/countries/people/{lucia.pk}/edit/")
    assert find(client.get(LIST), "a", href="/countries/people/new/")


# --- forms ------------------------------------------------------------------------------------


def test_create(client, projectteam, form_data):
    client.force_login(projectteam)
    page = client.get("/countries/people/new/")
    assert page.status_code == 200
    assert find(page, "a", href=LIST, **CANCEL)
    # Languages are checkboxes.
    assert find(page, "input", type="checkbox", name="languages", value="pt")

    response = client.post("/countries/people/new/", form_data, follow=True)
    person = Person.objects.get(name="Sofía Rodríguez")
    assert response.redirect_chain == [(f"/countries/people/{person.pk}/", 302)]
    assert "Person “Sofía Rodríguez” saved." in text(response)
    assert person.actor.acronym == "MIDES"
    assert person.languages == ["es", "pt"]
    assert person.email == "sofia.rodriguez@example.org"
    assert person.exchange_role == "technical"


def test_edit(client, projectteam, lucia):
    client.force_login(projectteam)
    url = f"/countries/people/{lucia.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert input_value(page, "name") == "Lucía Pereira"
    assert checked_languages(page) == ["es", "pt"]
    assert find(page, "a", href=f"/countries/people/{lucia.pk}/", **CANCEL)

    response = client.post(
        url,
        {
            "revision": input_value(page, "revision"),
            "name": "Lucía Pereira",
            "position": "Directora Nacional de Cuidados",
            "email": "lucia.pereira@example.org",
            "actor": lucia.actor_id,
            "exchange_role": "political",
            "languages": ["es", "pt", "en"],
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/countries/people/{lucia.pk}/", 302)]
    assert "Person “Lucía Pereira” saved." in text(response)
    lucia.refresh_from_db()
    assert lucia.languages == ["es", "pt", "en"]
    assert lucia.notes == ""


def test_missing_fields(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data.update(name="", actor="", exchange_role="")
    response = client.post("/countries/people/new/", form_data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "actor", "exchange_role"}
    assert "This field is required." in text(response)
    assert input_value(response, "email") == "sofia.rodriguez@example.org"
    assert input_value(response, "position") == "Asesora del Sistema de Cuidados"
    assert checked_languages(response) == ["es", "pt"]
    assert not Person.objects.filter(email="sofia.rodriguez@example.org").exists()


def test_bad_email(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data["email"] = "sofia at example"
    response = client.post("/countries/people/new/", form_data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert "Enter a valid email address." in text(response)
    assert input_value(response, "email") == "sofia at example"
    (email_input,) = find(response, "input", name="email")
    assert "is-invalid" in email_input["class"]


def test_unknown_language(client, projectteam, form_data):
    client.force_login(projectteam)
    form_data["languages"] = ["es", "xx"]
    response = client.post("/countries/people/new/", form_data)
    assert response.status_code == 200
    assert "languages" in response.context["form"].errors
    assert not Person.objects.filter(name="Sofía Rodríguez").exists()
