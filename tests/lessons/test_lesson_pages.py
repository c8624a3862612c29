"""The knowledge bank's pages: the public list with facets, the detail page laid out like
the Knowledge Bank entry, the export, writing and reviewing lessons, the import page, HTML
shown as text, and the number of queries of the list and search pages at 20 and 2,000
lessons."""

from datetime import UTC, datetime
from itertools import cycle

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from countries.models import Actor, Country
from lessons import search
from lessons.knowledge_bank.applying import save_parsed
from lessons.knowledge_bank.exporting import export
from lessons.knowledge_bank.parsing import parse
from lessons.models import SDG, AddedValue, KnowledgeType, Lesson, Phase
from lessons.views import IMPORT_SESSION_KEY
from tests.support.html import find, text
from tests.support.knowledge_bank import SHARED, SHIPPED, TITLE, shipped_bytes
from visits.models import Delegation, Visit

User = get_user_model()
Status = Lesson.Status
LIST = reverse("lessons:lesson_list")
NEW = reverse("lessons:lesson_create")
IMPORT = reverse("lessons:lesson_import")


def detail_url(lesson):
    return reverse("lessons:lesson_detail", args=[lesson.pk])


def edit_url(lesson):
    return reverse("lessons:lesson_update", args=[lesson.pk])


def export_url(lesson):
    return reverse("lessons:lesson_export", args=[lesson.pk])


def transition_url(lesson, name):
    return reverse("lessons:lesson_transition", args=[lesson.pk, name])


def user(username):
    return User.objects.get(username=username)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def titles(response):
    return [lesson.title for lesson in response.context["lessons"]]


def country(code):
    return Country.objects.get(code=code)


def ministry(code):
    return Actor.objects.get(country__code=code, kind=Actor.Kind.GOVERNMENT)


def phase(name):
    return Phase.objects.get(name=name)


def new_lesson(title, status=Status.PUBLISHED, by=None, **fields):
    """A lesson written by the user named ``by``, with its many-to-many fields."""
    many = {
        name: fields.pop(name)
        for name in ("countries", "actors", "sdgs", "added_values", "related_visits")
        if name in fields
    }
    lesson = Lesson.objects.create(
        title=title, status=status, created_by=user(by) if by else None, **fields
    )
    for name, objects in many.items():
        getattr(lesson, name).set(objects)
    return lesson


@pytest.fixture
def shipped(demo, coordinator):
    """The shipped entry, imported by the coordinator and published."""
    lesson, _report = save_parsed(
        parse(shipped_bytes()), user=coordinator, source_file=SHIPPED.name
    )
    lesson.status = Status.PUBLISHED
    lesson.save()
    return lesson


@pytest.fixture
def drafts(shipped):
    """Besides the published entry: a draft and a lesson in review by Paraguay's staff."""
    return {
        "draft": new_lesson("Paraguay's draft", Status.DRAFT, by="staff-py"),
        "review": new_lesson("Paraguay's lesson in review", Status.IN_REVIEW, by="staff-py"),
    }


# --- who sees what ------------------------------------------------------------------------------


def test_anonymous_sees_only_published_lessons(client, drafts, shipped):
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == [TITLE]
    assert "1 lesson found." in text(response)
    assert client.get(detail_url(shipped)).status_code == 200
    assert client.get(export_url(shipped)).status_code == 200
    for lesson in drafts.values():
        assert client.get(detail_url(lesson)).status_code == 404
        assert client.get(export_url(lesson)).status_code == 404
    # Not even through a search or a filter.
    assert titles(client.get(LIST, {"q": "Paraguay"})) == [TITLE]
    assert titles(client.get(LIST, {"type": "lessons_learnt"})) == [TITLE]


@pytest.mark.parametrize(
    "username, sees_drafts",
    [
        ("staff-py", True),  # their author
        ("staff-uy", False),  # other staff
        ("coordinator", True),
        ("projectteam", True),
    ],
)
def test_drafts_are_seen_by_their_author_coordinators_and_the_project_team(
    client, drafts, shipped, username, sees_drafts
):
    client.force_login(user(username))
    expected = {TITLE} | ({lesson.title for lesson in drafts.values()} if sees_drafts else set())
    response = client.get(LIST)
    assert set(titles(response)) == expected
    for lesson in drafts.values():
        status = 200 if sees_drafts else 404
        assert client.get(detail_url(lesson)).status_code == status
        assert client.get(export_url(lesson)).status_code == status
    if sees_drafts:
        # Marked as what they are.
        content = text(response)
        assert "Paraguay's draft Lessons learnt · Draft" in content
        assert "Paraguay's lesson in review Lessons learnt · In review" in content


# --- facets -------------------------------------------------------------------------------------


@pytest.fixture
def faceted(demo):
    """Three published lessons with different facets, and a draft that counts for nobody
    anonymous."""
    visit = Visit.objects.create(host_country=country("PY"), title="Care in the territory")
    Delegation.objects.create(visit=visit, country=country("PY"), is_host=True)
    iila = Actor.objects.get(acronym="IILA")
    one = new_lesson(
        "Registry of caregivers",
        knowledge_type=KnowledgeType.LESSONS_LEARNT,
        countries=[country("PY"), country("UY")],
        phase=phase("Implementation"),
        sdgs=SDG.objects.filter(number=5),
        added_values=AddedValue.objects.filter(number__in=[1, 3]),
        actors=[ministry("PY")],
        keywords=["Care", "Registry"],
        related_visits=[visit],
    )
    two = new_lesson(
        "Users in the design of services",
        knowledge_type=KnowledgeType.GOOD_PRACTICES,
        countries=[country("CR")],
        phase=phase("Formulation"),
        sdgs=SDG.objects.filter(number__in=[5, 10]),
        added_values=AddedValue.objects.filter(number=3),
        actors=[iila],
        keywords=["Care", "Participación"],
    )
    three = new_lesson(
        "Half a day of ministers' time",
        knowledge_type=KnowledgeType.SUCCESS_STORIES,
        countries=[country("UY")],
    )
    new_lesson(
        "A draft",
        status=Status.DRAFT,
        by="staff-py",
        countries=[country("UY")],
        sdgs=SDG.objects.filter(number=17),
        keywords=["Secret"],
    )
    Lesson.objects.filter(pk=one.pk).update(created_at=datetime(2024, 3, 1, 12, tzinfo=UTC))
    Lesson.objects.filter(pk__in=[two.pk, three.pk]).update(
        created_at=datetime(2025, 6, 1, 12, tzinfo=UTC)
    )
    return {"one": one, "two": two, "three": three, "visit": visit, "iila": iila}


def counts(facet):
    return {value: count for value, _label, count in facet}


def test_facets_count_the_lessons_found(client, faceted):
    response = client.get(LIST)
    facets = response.context["facets"]
    assert counts(facets["type"]) == {
        "good_practices": 1,
        "lessons_learnt": 1,
        "success_stories": 1,
    }
    assert counts(facets["country"]) == {
        country("CR").pk: 1,
        country("PY").pk: 1,
        country("UY").pk: 2,
    }
    assert counts(facets["phase"]) == {
        phase("Implementation").pk: 1,
        phase("Formulation").pk: 1,
    }
    assert counts(facets["sdg"]) == {5: 2, 10: 1}
    assert counts(facets["value"]) == {1: 1, 3: 2}
    assert counts(facets["actor_kind"]) == {"government": 1, "international": 1}
    assert counts(facets["keyword"]) == {"Care": 2, "Participación": 1, "Registry": 1}
    assert counts(facets["year"]) == {2025: 2, 2024: 1}

    # Shown with their labels and counts.
    content = text(response)
    for shown in [
        "Type of knowledge Good practices (1) Lessons learnt (1) Success stories (1)",
        "Country Costa Rica (1) Paraguay (1) Uruguay (2)",
        "Added value 1. Building ownership and trust (1) "
        "3. Sharing knowledge and learning jointly (2)",
        "SDG 5. Gender Equality (2) 10. Reduced Inequalities (1)",
        "Actors involved Government ministry or agency (1) International organisation (1)",
        "Keyword Care (2) Participación (1) Registry (1)",
        "Year 2025 (2) 2024 (1)",
    ]:
        assert shown in content
    assert "Formulation (1)" in content and "Implementation (1)" in content
    assert "Secret" not in content  # the draft's keyword


def test_facets_of_a_coordinator_count_the_drafts_too(client, faceted, coordinator):
    client.force_login(coordinator)
    facets = client.get(LIST).context["facets"]
    assert counts(facets["country"])[country("UY").pk] == 3
    assert counts(facets["sdg"]) == {5: 2, 10: 1, 17: 1}


def test_facets_follow_the_search_and_the_filters(client, faceted):
    response = client.get(LIST, {"q": "registry"})
    assert titles(response) == ["Registry of caregivers"]
    facets = response.context["facets"]
    assert counts(facets["country"]) == {country("PY").pk: 1, country("UY").pk: 1}
    assert counts(facets["keyword"]) == {"Care": 1, "Registry": 1}

    response = client.get(LIST, {"country": country("UY").pk})
    assert counts(response.context["facets"]["type"]) == {
        "lessons_learnt": 1,
        "success_stories": 1,
    }


def test_facet_links_keep_the_search(client, faceted):
    response = client.get(LIST, {"q": "care"})
    links = {a.get("href") for a in find(response, "a")}
    assert f"?q=care&country={country('PY').pk}" in links
    assert "?q=care&keyword=Registry" in links
    # The search box carries the active filters.
    response = client.get(LIST, {"q": "care", "sdg": "5"})
    assert find(response, "input", type="hidden", name="sdg", value="5")


REGISTRY, USERS_IN_DESIGN, HALF_A_DAY = (
    "Registry of caregivers",
    "Users in the design of services",
    "Half a day of ministers' time",
)


def filter_cases():
    return [
        ("type", lambda w: "good_practices", {USERS_IN_DESIGN}),
        ("country", lambda w: country("UY").pk, {REGISTRY, HALF_A_DAY}),
        ("phase", lambda w: phase("Formulation").pk, {USERS_IN_DESIGN}),
        ("sdg", lambda w: 5, {REGISTRY, USERS_IN_DESIGN}),
        ("sdg", lambda w: 10, {USERS_IN_DESIGN}),
        ("value", lambda w: 3, {REGISTRY, USERS_IN_DESIGN}),
        ("value", lambda w: 1, {REGISTRY}),
        ("actor_kind", lambda w: "international", {USERS_IN_DESIGN}),
        ("actor", lambda w: w["iila"].pk, {USERS_IN_DESIGN}),
        ("keyword", lambda w: "Registry", {REGISTRY}),
        ("keyword", lambda w: "Care", {REGISTRY, USERS_IN_DESIGN}),
        ("keyword", lambda w: "Participación", {USERS_IN_DESIGN}),
        ("keyword", lambda w: "participación", {USERS_IN_DESIGN}),
        ("year", lambda w: 2024, {REGISTRY}),
        ("year", lambda w: 2025, {USERS_IN_DESIGN, HALF_A_DAY}),
        ("visit", lambda w: w["visit"].pk, {REGISTRY}),
        ("sdg", lambda w: 17, set()),  # only the draft has it
        ("keyword", lambda w: "Secret", set()),
    ]


@pytest.mark.parametrize("param, value, expected", filter_cases())
def test_filtering_by_each_facet(client, faceted, param, value, expected):
    response = client.get(LIST, {param: value(faceted)})
    assert response.status_code == 200
    assert set(titles(response)) == expected
    assert response.context["active"] == {param: str(value(faceted))}
    assert "Clear the filters" in text(response)


def test_filters_combine(client, faceted):
    response = client.get(LIST, {"country": country("UY").pk, "type": "success_stories"})
    assert titles(response) == ["Half a day of ministers' time"]
    response = client.get(LIST, {"q": "caregivers", "sdg": 5, "value": 1})
    assert titles(response) == ["Registry of caregivers"]


@pytest.mark.parametrize(
    "params",
    [
        {"country": "abc"},
        {"country": "99999999999999999999999"},
        {"country": "-1"},
        {"country": "²"},
        {"phase": "Implementation"},
        {"sdg": "five"},
        {"value": "1.5"},
        {"actor": "IILA"},
        {"visit": "' OR 1=1 --"},
        {"year": "last"},
        {"year": "20245"},
        {"year": "0"},
        {"type": "rumours"},
        {"actor_kind": "<script>"},
        {"keyword": "\x00"},
        {"country": "\x00"},
        {"page": "many"},
        {"page": "-3"},
    ],
    ids=str,
)
def test_unknown_filter_values_find_nothing_or_everything_but_never_fail(client, faceted, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert set(titles(response)) <= {REGISTRY, USERS_IN_DESIGN, HALF_A_DAY}


def test_the_list_paginates(client, demo):
    Lesson.objects.bulk_create(
        Lesson(title=f"Lesson {n:02}", status=Status.PUBLISHED) for n in range(25)
    )
    first = client.get(LIST)
    assert len(titles(first)) == 20
    assert "25 lessons found." in text(first)
    assert len(titles(client.get(LIST, {"page": 2}))) == 5


# --- the detail page ----------------------------------------------------------------------------


def in_order(content, *parts):
    """Each part appears in the text, after the previous one."""
    position = 0
    for part in parts:
        found = content.find(part, position)
        assert found >= 0, f"{part!r} not found after position {position}"
        position = found + len(part)


def test_the_detail_page_is_laid_out_like_the_entry(client, shipped):
    response = client.get(detail_url(shipped))
    assert response.status_code == 200
    (article,) = find(response, "article")
    assert article["lang"] == "en"
    content = text(response)
    in_order(
        content,
        "Knowledge Bank · Lessons learnt",
        TITLE,
        "Author Red Calle",
        "Countries where the action took place Chile, Colombia, Costa Rica, Paraguay, Uruguay",
        "Phase of the operation cycle Implementation",
        "Actors involved "
        "Ministerio de Desarrollo Social (MIDES) – Uruguay "
        "Ministerio de Desarrollo Humano e Inclusión Social – Costa Rica "
        "Brasil – Brazil "
        "Ministerio de Desarrollo Social – Chile "
        "Ministerio de la Niñez y la Adolescencia – Paraguay "
        "Ministerio de Salud y Protección Social – Colombia "
        "Organización Internacional Ítalo-Latinoamericana (IILA) – Italy",
        "Contribution to the SDGs —",
        "Description of the action that gave rise to the learning: "
        'At the beginning of the project, there was a theoretical framework for "Peer-to-Peer',
        "two to Brazil, Chile, Colombia and Costa Rica.",
        "Experience gained: The importance of jointly defining the criteria",
        "Impacts: Having a methodology that was built by all the partners generates: "
        "Efficient management of resources and time",
        "Greater involvement of different actors",
        "Greater quality in exchanges of knowledge",
        "A knowledge management framework and collaboration beyond the closing of the project.",
        # Added values by their official numbers, the gaps kept.
        "The added value of Triangular Cooperation: "
        "1. Building ownership and trust "
        "3. Sharing knowledge and learning jointly "
        "4. Co-creating solutions and flexibility",
        "Keywords: Technical exchange Peer Review Peer-to-peer workshops",
        "Imported from building-together-the-methodology.txt.",
        "Download in the Knowledge Bank layout (.txt)",
    )
    # The keywords lead to the lessons that share them.
    links = {a.get("href") for a in find(response, "a")}
    assert "/lessons/?keyword=Peer%20Review" in links
    assert export_url(shipped) in links


@pytest.mark.parametrize(
    "kind, banner, label",
    [
        (
            KnowledgeType.LESSONS_LEARNT,
            "Lessons learnt",
            "Description of the action that gave rise to the learning:",
        ),
        (KnowledgeType.GOOD_PRACTICES, "Good practices", "Description of the practice:"),
        (KnowledgeType.SUCCESS_STORIES, "Success stories", "Summary of the case:"),
    ],
)
def test_the_body_label_follows_the_knowledge_type(client, demo, kind, banner, label):
    lesson = new_lesson(
        "Typed",
        knowledge_type=kind,
        description="What happened.",
        sdgs=SDG.objects.filter(number__in=[5, 1]),
    )
    content = text(client.get(detail_url(lesson)))
    in_order(
        content,
        f"Knowledge Bank · {banner}",
        "Contribution to the SDGs 1. No Poverty 5. Gender Equality",
        f"{label} What happened.",
    )
    for other in {
        "Description of the action that gave rise to the learning:",
        "Description of the practice:",
        "Summary of the case:",
    } - {label}:
        assert other not in content


def test_empty_sections_show_a_dash(client, demo):
    content = text(client.get(detail_url(new_lesson("Bare"))))
    in_order(
        content,
        "Countries where the action took place —",
        "Phase of the operation cycle —",
        "Actors involved —",
        "Contribution to the SDGs —",
        "Description of the action that gave rise to the learning: —",
        "Experience gained: —",
        "Impacts:",
        "The added value of Triangular Cooperation: —",
        "Keywords: —",
    )
    assert "Author" not in content


def test_a_phase_not_in_the_list_is_shown_as_written(client, demo):
    lesson = new_lesson("Odd phase", phase_text="Scaling up")
    assert "Phase of the operation cycle Scaling up" in text(client.get(detail_url(lesson)))


# --- export ---------------------------------------------------------------------------------


def test_export_txt(client, shipped):
    response = client.get(export_url(shipped))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="building-together-the-methodology-of-work-between-peers.txt"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode("utf-8")
    assert body == export(shipped)
    assert body.startswith("Knowledge Bank\n\nLESSONS LEARNT\n\nAUTHOR:\n\nRed Calle\n\n")
    assert "Organización Internacional Ítalo-Latinoamericana (IILA) - Italy" in body
    assert body.endswith(
        "Keywords:\n\nTechnical exchange\n\nPeer Review\n\nPeer-to-peer workshops\n"
    )


@pytest.mark.parametrize(
    "title, filename",
    [
        ("Participación de las cuidadoras", "participacion-de-las-cuidadoras.txt"),
        ('"Quoted"; name=evil.exe', "quoted-nameevilexe.txt"),
        ("¿¡!?", "lesson.txt"),
        ("A" * 300, "a" * 80 + ".txt"),
    ],
)
def test_the_export_file_name_is_safe(client, demo, title, filename):
    lesson = new_lesson(title)
    response = client.get(export_url(lesson))
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


# --- HTML and script in every field ---------------------------------------------------------

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(demo, coordinator):
    """A lesson with HTML and script in every field it shows."""
    actor = Actor.objects.create(name=f"{PAYLOAD} actor", acronym="<b>A</b>", country=country("PY"))
    lesson = new_lesson(
        f"{PAYLOAD} title",
        status=Status.DRAFT,
        by="staff-py",
        countries=[country("PY")],
        actors=[actor],
        **{
            name: f"{PAYLOAD} {name}"
            for name in [
                "author",
                "countries_text",
                "phase_text",
                "description",
                "experience",
                "impacts_lead",
                "review_note",
                "import_note",
                "source_file",
            ]
        },
        impacts=[f"{PAYLOAD} impact"],
        keywords=[f"{PAYLOAD} keyword"],
        needs_review=True,
    )
    return lesson


def assert_shown_as_text(response, *fields):
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>A</b>" not in html
    content = text(response)
    for field in fields:
        assert f"{PAYLOAD} {field}" in content, field


def test_html_in_every_field_is_shown_as_text_on_the_detail_page(client, hostile):
    client.force_login(user("staff-py"))
    response = client.get(detail_url(hostile))
    assert response.status_code == 200
    assert_shown_as_text(
        response,
        "title",
        "author",
        "countries_text",
        "phase_text",
        "description",
        "experience",
        "impacts_lead",
        "impact",
        "keyword",
        "review_note",
        "import_note",
        "source_file",
        "actor",
    )
    assert "(<b>A</b>)" in text(response)


def test_html_in_every_field_is_shown_as_text_in_the_list_and_the_forms(client, hostile):
    client.force_login(user("coordinator"))
    response = client.get(LIST, {"keyword": f"{PAYLOAD} keyword"})
    assert titles(response) == [f"{PAYLOAD} title"]
    assert_shown_as_text(response, "title", "experience", "keyword")
    assert f'value="{PAYLOAD}' not in response.content.decode()  # the hidden filter input

    response = client.get(edit_url(hostile))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html

    response = client.get(reverse("methodology:propose"), {"lesson": hostile.pk})
    assert_shown_as_text(response, "title")


def test_html_in_every_field_is_kept_as_plain_text_in_the_export(client, hostile):
    client.force_login(user("staff-py"))
    body = client.get(export_url(hostile)).content.decode()
    for field in [
        "title",
        "author",
        "countries_text",
        "phase_text",
        "description",
        "experience",
        "impacts_lead",
        "impact",
        "keyword",
        "actor",
    ]:
        assert f"{PAYLOAD} {field}" in body, field
    assert "&lt;" not in body and "&amp;" not in body
    assert "(<b>A</b>)" in body


# --- writing and reviewing ----------------------------------------------------------------------


def form_data(lesson=None, **changes):
    """What the lesson form sends for the lesson (or for a new one)."""
    if lesson is None:
        data = {
            "knowledge_type": KnowledgeType.GOOD_PRACTICES,
            "title": "Care registries shared between levels of government",
            "author": "Ministerio de la Niñez y la Adolescencia",
            "language": "en",
            "countries": [country("PY").pk, country("UY").pk],
            "phase": phase("Implementation").pk,
            "actors": [ministry("PY").pk],
            "sdgs": [5, 10],
            "description": "Paraguay and Uruguay shared their registries.",
            "experience": "A shared registry saves each level the same work.",
            "impacts_lead": "The registry brought:",
            "impacts": (
                "- Fewer duplicate records\r\n\r\n• Faster referrals\r\n  Shared indicators  "
            ),
            "added_values": [2, 3],
            "keywords": "Registry\nInformation systems\n\n",
            "related_visits": [],
            "revision": 0,
        }
        data["sdgs"] = list(
            SDG.objects.filter(number__in=data["sdgs"]).values_list("pk", flat=True)
        )
        data["added_values"] = list(
            AddedValue.objects.filter(number__in=data["added_values"]).values_list("pk", flat=True)
        )
    else:
        data = {
            "knowledge_type": lesson.knowledge_type,
            "title": lesson.title,
            "author": lesson.author,
            "language": lesson.language,
            "countries": [c.pk for c in lesson.countries.all()],
            "phase": lesson.phase_id or "",
            "actors": [a.pk for a in lesson.actors.all()],
            "sdgs": [s.pk for s in lesson.sdgs.all()],
            "description": lesson.description,
            "experience": lesson.experience,
            "impacts_lead": lesson.impacts_lead,
            "impacts": "\n".join(lesson.impacts),
            "added_values": [v.pk for v in lesson.added_values.all()],
            "keywords": "\n".join(lesson.keywords),
            "related_visits": [v.pk for v in lesson.related_visits.all()],
            "revision": lesson.revision,
        }
    data.update(changes)
    return data


def test_staff_write_a_draft_with_the_form(client, demo, staff_py):
    client.force_login(staff_py)
    response = client.get(NEW)
    assert response.status_code == 200
    for label in ["Impacts", "Keywords", "Title", "Type of knowledge"]:
        assert label in text(response)

    response = client.post(NEW, form_data())
    lesson = Lesson.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(lesson)
    assert messages_of(response)[-1] == "The lesson was saved as a draft."
    assert lesson.status == Status.DRAFT
    assert (lesson.created_by, lesson.updated_by) == (staff_py, staff_py)
    assert lesson.knowledge_type == KnowledgeType.GOOD_PRACTICES
    # One per line; bullets, blank lines and spaces dropped.
    assert lesson.impacts == ["Fewer duplicate records", "Faster referrals", "Shared indicators"]
    assert lesson.keywords == ["Registry", "Information systems"]
    assert sorted(c.code.code for c in lesson.countries.all()) == ["PY", "UY"]
    assert list(lesson.actors.all()) == [ministry("PY")]
    assert sorted(s.number for s in lesson.sdgs.all()) == [5, 10]
    assert sorted(v.number for v in lesson.added_values.all()) == [2, 3]
    assert lesson.history.count() >= 1

    # Its page shows it in the Knowledge Bank layout; the public does not see it yet.
    content = text(client.get(detail_url(lesson)))
    assert "Description of the practice: Paraguay and Uruguay shared their registries." in content
    assert (
        "The registry brought: Fewer duplicate records Faster referrals Shared indicators"
        in content
    )
    assert "2. Promoting complementarity" in content and "Send for review" in content
    client.logout()
    assert client.get(detail_url(lesson)).status_code == 404

    # The edit form shows the lists one per line.
    client.force_login(staff_py)
    response = client.get(edit_url(lesson))
    assert (
        "Fewer duplicate records\nFaster referrals\nShared indicators" in response.content.decode()
    )


def test_the_form_refuses_what_is_missing(client, demo, staff_py):
    client.force_login(staff_py)
    response = client.post(NEW, form_data(title=""))
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Lesson.objects.exists()


def test_staff_only_link_visits_they_may_see(client, demo, staff_uy):
    hidden = Visit.objects.create(host_country=country("CO"), title="Colombia alone")
    Delegation.objects.create(visit=hidden, country=country("CO"), is_host=True)
    client.force_login(staff_uy)
    response = client.post(NEW, form_data(related_visits=[hidden.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["related_visits"]
    assert not Lesson.objects.exists()


def test_submit_publish_return(client, demo, staff_py, coordinator):
    client.force_login(staff_py)
    client.post(NEW, form_data())
    lesson = Lesson.objects.get()

    # The author sends it for review.
    response = client.post(transition_url(lesson, "submit"))
    assert response.url == detail_url(lesson)
    assert messages_of(response)[-1] == "The lesson was sent for review."
    lesson.refresh_from_db()
    assert lesson.status == Status.IN_REVIEW
    assert "Send for review" not in text(client.get(detail_url(lesson)))
    # Sent twice: refused with the reason.
    response = client.post(transition_url(lesson, "submit"))
    assert messages_of(response)[-1] == "The lesson is in review: this step is not possible now."

    # The coordinator returns it; a note is required.
    client.force_login(coordinator)
    page = text(client.get(detail_url(lesson)))
    assert "Publish" in page and "Return to the author" in page
    response = client.post(transition_url(lesson, "return"), {"note": "  "})
    assert messages_of(response)[-1] == "Say what should change before returning the lesson."
    lesson.refresh_from_db()
    assert (lesson.status, lesson.review_note) == (Status.IN_REVIEW, "")
    response = client.post(transition_url(lesson, "return"), {"note": "Name the registry."})
    assert messages_of(response)[-1] == "The lesson went back to its author as a draft."
    lesson.refresh_from_db()
    assert (lesson.status, lesson.review_note) == (Status.DRAFT, "Name the registry.")
    # A draft cannot be returned.
    response = client.post(transition_url(lesson, "return"), {"note": "Again."})
    assert messages_of(response)[-1] == "The lesson is draft: this step is not possible now."

    # The author sees the note, edits and sends it again.
    client.force_login(staff_py)
    assert "Returned by the reviewer: Name the registry." in text(client.get(detail_url(lesson)))
    lesson.refresh_from_db()
    response = client.post(edit_url(lesson), form_data(lesson, title="The SIRENA registry"))
    assert response.status_code == 302
    client.post(transition_url(lesson, "submit"))

    # The coordinator publishes it: public, and no longer the author's to change.
    client.force_login(coordinator)
    response = client.post(transition_url(lesson, "publish"))
    assert messages_of(response)[-1] == "The lesson is published in the knowledge bank."
    lesson.refresh_from_db()
    assert (lesson.status, lesson.review_note, lesson.title) == (
        Status.PUBLISHED,
        "",
        "The SIRENA registry",
    )
    response = client.post(transition_url(lesson, "publish"))
    assert messages_of(response)[-1] == "The lesson is published: this step is not possible now."
    client.force_login(staff_py)
    assert client.get(edit_url(lesson)).status_code == 403
    assert "Edit" not in text(client.get(detail_url(lesson)))
    client.logout()
    assert titles(client.get(LIST)) == ["The SIRENA registry"]
    assert client.get(detail_url(lesson)).status_code == 200


def test_a_stale_edit_is_refused(client, demo, staff_py, coordinator):
    lesson = new_lesson("Registry", Status.DRAFT, by="staff-py", description="First.")
    shown = form_data(lesson)  # the author opens the form

    client.force_login(coordinator)  # meanwhile the coordinator saves
    assert (
        client.post(edit_url(lesson), form_data(lesson, description="Coordinator's.")).status_code
        == 302
    )

    client.force_login(staff_py)
    response = client.post(edit_url(lesson), {**shown, "description": "Author's."})
    assert response.status_code == 200
    assert "Somebody else saved this in the meantime" in text(response)
    assert "Author's." in text(response)  # the input is kept
    lesson.refresh_from_db()
    assert (lesson.description, lesson.revision) == ("Coordinator's.", 2)

    # Saved again from the form shown with the current revision, it replaces it on purpose.
    response = client.post(
        edit_url(lesson), {**shown, "description": "Author's.", "revision": lesson.revision}
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.description == "Author's."


def test_a_form_opened_before_a_transition_is_stale(client, demo, staff_py, coordinator):
    lesson = new_lesson("Registry", Status.IN_REVIEW, by="staff-py")
    shown = form_data(lesson)
    client.force_login(coordinator)
    client.post(transition_url(lesson, "return"), {"note": "Shorter."})
    client.force_login(staff_py)
    response = client.post(edit_url(lesson), {**shown, "title": "Changed"})
    assert response.status_code == 200
    lesson.refresh_from_db()
    assert (lesson.title, lesson.status) == ("Registry", Status.DRAFT)


# --- the import page --------------------------------------------------------------------------


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def confirm(client, preview):
    """Press "Save the lesson" on the preview."""
    (button,) = find(preview, "button", name="confirm")
    return client.post(IMPORT, {"confirm": button["value"]})


# The shared folder's copy where it is beside the checkout; the repository's copy always.
SOURCES = {"shared": SHARED, "lessons/data": SHIPPED}


@pytest.mark.parametrize(
    "source",
    [p for p in SOURCES.values() if p.exists()],
    ids=[k for k, p in SOURCES.items() if p.exists()],
)
def test_import_preview_then_save(client, demo, coordinator, source):
    actors_before = Actor.objects.count()
    client.force_login(coordinator)
    assert client.get(IMPORT).status_code == 200

    response = client.post(IMPORT, {"file": upload(source.name, source.read_bytes())})
    assert response.status_code == 200
    report = response.context["report"]
    content = text(response)
    assert f"Preview of {source.name}" in content
    assert f"{TITLE} · a new lesson" in content
    assert report.created == [("lesson", TITLE)]
    assert ("actor", "Organización Internacional Ítalo-Latinoamericana (IILA) – Italy") in (
        report.matched
    )
    assert [label for _kind, label, _reason in report.flagged] == ["Brasil – Brazil"]
    in_order(
        content,
        "1 created",
        TITLE,
        "13 matched",
        "Chile",
        "Organización Internacional Ítalo-Latinoamericana (IILA) – Italy",
        "Implementation",
        "1 flagged for review",
        "Brasil – Brazil: already waiting for review",
        "Save the lesson",
    )
    # Nothing is saved yet.
    assert not Lesson.objects.exists()
    assert Actor.objects.count() == actors_before

    response = confirm(client, response)
    lesson = Lesson.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(lesson)
    assert messages_of(response) == [
        f"“{TITLE}” was imported: 1 created, 13 matched, 1 flagged for review."
    ]
    assert (lesson.title, lesson.source_file, lesson.created_by) == (
        TITLE,
        source.name,
        coordinator,
    )
    assert lesson.status == Status.DRAFT
    assert Actor.objects.count() == actors_before
    assert IMPORT_SESSION_KEY not in client.session

    # The same file again updates the lesson.
    response = client.post(IMPORT, {"file": upload(source.name, source.read_bytes())})
    assert "updates the lesson of the same title" in text(response)
    confirm(client, response)
    assert Lesson.objects.get().pk == lesson.pk


def test_the_project_team_imports_too_and_new_actors_are_created_on_save(client, demo, projectteam):
    client.force_login(projectteam)
    data = shipped_bytes().replace(b"Brasil", b"Fundacion Cuidar (FC) - Brasil")
    response = client.post(IMPORT, {"file": upload("entry.txt", data)})
    assert ("actor", "Fundacion Cuidar (FC) – Brazil", "new actor from the import") in (
        response.context["report"].flagged
    )
    assert not Actor.objects.filter(name="Fundacion Cuidar").exists()
    confirm(client, response)
    assert Actor.objects.get(name="Fundacion Cuidar").needs_review


def test_confirming_without_a_preview(client, demo, coordinator):
    client.force_login(coordinator)
    response = client.post(IMPORT, {"confirm": "1"})
    assert response.url == IMPORT
    assert messages_of(response)[-1] == "Nothing to import: upload the file again."
    assert not Lesson.objects.exists()


BAD_FILES = [
    ("empty.txt", b"", "The file is empty."),
    ("blank.txt", b"\r\n  \n\t\n", "The file is empty."),
    ("photo.txt", b"Knowledge Bank\n\n\x89PNG\x00\x00\x01binary", "The file is not text"),
    (
        "untitled.txt",
        shipped_bytes().replace(TITLE.encode(), b""),
        "no title",
    ),
    ("notes.txt", b"Just a shopping list.\nMilk\n", "not a Knowledge Bank entry"),
]


@pytest.mark.parametrize("name, data, problem", BAD_FILES, ids=[name for name, *_ in BAD_FILES])
def test_bad_files_are_refused_with_their_name(client, demo, coordinator, name, data, problem):
    client.force_login(coordinator)
    actors_before = Actor.objects.count()
    response = client.post(IMPORT, {"file": upload(name, data)})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert error.startswith(f"{name}: ")
    assert problem in error
    assert error in text(response)
    assert "report" not in response.context
    assert IMPORT_SESSION_KEY not in client.session
    assert not Lesson.objects.exists()
    assert Actor.objects.count() == actors_before


def test_a_file_above_the_limit_is_refused_with_its_name(client, demo, coordinator, settings):
    settings.LESSON_IMPORT_MAX_BYTES = 1000
    client.force_login(coordinator)
    response = client.post(IMPORT, {"file": upload("big.txt", shipped_bytes())})
    (error,) = response.context["form"].errors["file"]
    assert error.startswith("big.txt: The file is too large:")
    assert "1000\xa0bytes" in error
    assert not Lesson.objects.exists()
    assert IMPORT_SESSION_KEY not in client.session


def test_a_bad_file_after_a_preview_drops_the_preview(client, demo, coordinator):
    client.force_login(coordinator)
    preview = client.post(IMPORT, {"file": upload("good.txt", shipped_bytes())})
    client.post(IMPORT, {"file": upload("empty.txt", b"")})
    assert IMPORT_SESSION_KEY not in client.session
    response = confirm(client, preview)
    assert messages_of(response)[-1] == "Nothing to import: upload the file again."
    assert not Lesson.objects.exists()


def test_confirming_an_older_preview_saves_nothing(client, demo, coordinator):
    """Two tabs: the first previews the shipped entry, the second another entry; saving from
    the first tab must not save the second tab's file."""
    client.force_login(coordinator)
    first = client.post(IMPORT, {"file": upload("first.txt", shipped_bytes())})
    other = shipped_bytes().replace(TITLE.encode(), b"Another entry altogether")
    second = client.post(IMPORT, {"file": upload("second.txt", other)})
    response = confirm(client, first)
    assert messages_of(response) == [
        "Another file was previewed since this preview: upload this file again."
    ]
    assert not Lesson.objects.exists()
    confirm(client, second)
    assert Lesson.objects.get().title == "Another entry altogether"


# --- queries at 20 and at 2,000 lessons -------------------------------------------------------


def many_lessons(count):
    """Published lessons with countries, actors, SDGs and added values, made in bulk."""
    start = Lesson.objects.count()
    kinds = cycle(KnowledgeType.values)
    phases = cycle(Phase.objects.all())
    languages = cycle(["en", "es", "pt"])
    lessons = Lesson.objects.bulk_create(
        Lesson(
            title=f"Care lesson {n}",
            knowledge_type=next(kinds),
            phase=next(phases),
            language=next(languages),
            description="Care services and registries shared between ministries.",
            experience="Peers learn from peers.",
            impacts=["More care", "Fewer gaps"],
            keywords=["Care", f"Keyword {n % 7}"],
            status=Status.PUBLISHED,
        )
        for n in range(start, start + count)
    )
    assert all(lesson.pk for lesson in lessons)
    countries = list(Country.objects.order_by("pk"))
    actors = list(Actor.objects.order_by("pk"))
    sdgs = list(SDG.objects.all())
    values = list(AddedValue.objects.all())
    for field, objects in [
        ("countries", countries),
        ("actors", actors),
        ("sdgs", sdgs),
        ("added_values", values),
    ]:
        through = getattr(Lesson, field).through
        target = getattr(Lesson, field).rel.model._meta.model_name
        through.objects.bulk_create(
            through(lesson_id=lesson.pk, **{f"{target}_id": objects[(n + k) % len(objects)].pk})
            for n, lesson in enumerate(lessons)
            for k in range(2)
        )
    search.index(Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]))  # no save()


# Measured, on SQLite and PostgreSQL alike: signed in, the session, the user and their
# roles; then the number found, the ids found (for the facets), their keywords, the counts
# of countries, phases, SDGs, added values, actor kinds, types and years; the page of
# lessons and its countries. Anonymous: 11.
LIST_QUERIES = 14


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "care services"}, {"q": "care", "sdg": "5", "type": "good_practices"}],
    ids=["list", "search", "search and filters"],
)
def test_list_and_search_queries_are_the_same_at_20_and_2000_lessons(
    client, demo, coordinator, django_assert_max_num_queries, params
):
    anonymous, signed_in = Client(), client
    signed_in.force_login(coordinator)

    def measure(lessons):
        counts = {}
        for who, browser in [("anonymous", anonymous), ("coordinator", signed_in)]:
            with django_assert_max_num_queries(LIST_QUERIES) as queries:
                response = browser.get(LIST, params)
            assert response.status_code == 200
            found = response.context["page_obj"].paginator.count
            assert 0 < found <= lessons
            assert len(titles(response)) == min(found, 20)
            counts[who] = len(queries)
        return counts

    many_lessons(20)
    at_20 = measure(20)
    many_lessons(1980)
    assert Lesson.objects.count() == 2000
    assert measure(2000) == at_20


def test_the_2000_lessons_are_all_searchable(client, demo):
    many_lessons(2000)
    response = client.get(LIST, {"q": "registries"})
    assert response.context["page_obj"].paginator.count == 2000
    if connection.vendor == "postgresql":
        assert not Lesson.objects.filter(search_vector=None).exists()
