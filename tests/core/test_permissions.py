"""core.permissions and countries.roles: roles from memberships, the rules, and who may use
the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import translation

from core.permissions import RULES, USE_ADMIN, has_perm
from countries.models import Actor, Country, Membership
from countries.roles import NO_ROLES, Role, forget_roles, roles_of
from visits.methodology.models import MethodologyVersion

User = get_user_model()

READ = ["countries.view_country", "countries.view_actor", "countries.view_person"]
MANAGE = [
    "countries.add_country",
    "countries.change_country",
    "countries.add_actor",
    "countries.change_actor",
    "countries.delete_actor",
    "countries.add_person",
    "countries.change_person",
    "countries.delete_person",
    "countries.add_membership",
    "countries.change_membership",
    "countries.delete_membership",
]


def country_id(code):
    return Country.objects.get(code=code).pk


def fresh(username):
    """The user as a new request would load it: no cached roles."""
    return User.objects.get(username=username)


# --- roles_of -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["BR", "CL", "CO", "CR", "PY", "UY"])
def test_roles_of_staff(demo, code):
    roles = roles_of(fresh(f"staff-{code.lower()}"))
    assert roles.roles == {Role.STAFF}
    assert roles.country_ids == {country_id(code)}
    assert roles.focal_point_country_ids == {country_id(code)}
    assert roles.actor_ids == {Actor.objects.get(country__code=code).pk}
    assert roles.is_staff_member and roles.is_focal_point
    assert not roles.is_coordinator and not roles.is_project_team
    assert roles.main_role == Role.STAFF


def test_roles_of_coordinator(coordinator):
    roles = roles_of(coordinator)
    assert roles.roles == {Role.COORDINATOR}
    assert roles.country_ids == {country_id("IT")}
    assert roles.focal_point_country_ids == frozenset()
    assert roles.actor_ids == {Actor.objects.get(acronym="IILA").pk}
    assert roles.is_coordinator and not roles.is_focal_point
    assert roles.main_role == Role.COORDINATOR


def test_roles_of_project_team(projectteam):
    roles = roles_of(projectteam)
    assert roles.roles == {Role.PROJECT_TEAM}
    assert roles.is_project_team and not roles.is_focal_point
    assert roles.main_role == Role.PROJECT_TEAM


def test_main_role_is_the_widest(staff_py):
    iila = Actor.objects.get(acronym="IILA")
    Membership.objects.create(user=staff_py, actor=iila, role=Role.PROJECT_TEAM)
    roles = roles_of(fresh("staff-py"))
    assert roles.roles == {Role.STAFF, Role.PROJECT_TEAM}
    assert roles.main_role == Role.PROJECT_TEAM
    assert roles.country_ids == {country_id("PY"), country_id("IT")}
    assert roles.focal_point_country_ids == {country_id("PY")}  # only where flagged


def test_actor_without_country(demo):
    network = Actor.objects.create(name="Red Calle")
    user = User.objects.create_user("networker")
    Membership.objects.create(user=user, actor=network, role=Role.STAFF)
    roles = roles_of(user)
    assert roles.roles == {Role.STAFF}
    assert roles.country_ids == frozenset()
    assert roles.actor_ids == {network.pk}


@pytest.mark.django_db
def test_roles_of_nobody():
    assert roles_of(AnonymousUser()) == NO_ROLES
    assert roles_of(User.objects.create_user("newcomer")) == NO_ROLES
    assert NO_ROLES.main_role is None


def test_roles_of_inactive_user(staff_py):
    staff_py.is_active = False
    assert roles_of(staff_py) == NO_ROLES


def test_roles_are_cached_on_the_user(staff_py, django_assert_num_queries):
    user = fresh("staff-py")
    with django_assert_num_queries(1):
        first = roles_of(user)
        assert roles_of(user) is first
        assert has_perm(user, "countries.view_actor")
        assert not has_perm(user, "countries.change_actor")
        assert not has_perm(user, "auth.view_group")


def test_forget_roles(staff_py):
    user = fresh("staff-py")
    assert not roles_of(user).is_project_team
    Membership.objects.create(
        user=user, actor=Actor.objects.get(acronym="IILA"), role=Role.PROJECT_TEAM
    )
    assert not roles_of(user).is_project_team  # still the cached answer
    forget_roles(user)
    assert roles_of(user).is_project_team


# --- has_perm ---------------------------------------------------------------------------------


@pytest.mark.parametrize("perm", READ)
@pytest.mark.parametrize("username", ["staff-py", "coordinator", "projectteam"])
def test_members_read(demo, username, perm):
    assert fresh(username).has_perm(perm)


@pytest.mark.parametrize("perm", MANAGE)
def test_project_team_manages(projectteam, perm):
    assert projectteam.has_perm(perm)
    # Memberships are checked per object (countries/rules.py): a staff member's, not the
    # coordinator's (tests/countries/test_role_grants.py has the rest).
    if perm.endswith("_membership"):
        staff = Membership.objects.filter(role=Membership.Role.STAFF).first()
        coordinator = Membership.objects.filter(role=Membership.Role.COORDINATOR).first()
        assert projectteam.has_perm(perm, staff)
        assert perm == "countries.add_membership" or not projectteam.has_perm(perm, coordinator)
    else:
        assert projectteam.has_perm(perm, Actor.objects.first())


@pytest.mark.parametrize("perm", MANAGE)
@pytest.mark.parametrize("username", ["staff-py", "coordinator"])
def test_others_do_not_manage(demo, username, perm):
    assert not fresh(username).has_perm(perm)


@pytest.mark.parametrize(
    "perm", ["auth.view_user", "auth.add_user", "auth.change_user", "axes.view_accessattempt"]
)
def test_project_team_manages_accounts(demo, perm):
    assert fresh("projectteam").has_perm(perm)
    assert not fresh("coordinator").has_perm(perm)
    assert not fresh("staff-uy").has_perm(perm)


def test_permission_without_rule(demo):
    # Refused, except reading, which the project team may do everywhere.
    assert not fresh("projectteam").has_perm("auth.delete_user")
    assert fresh("projectteam").has_perm("auth.view_group")
    assert not fresh("coordinator").has_perm("auth.view_group")
    assert not fresh("projectteam").has_perm("visits.approve_everything")


@pytest.mark.parametrize("perm", READ + MANAGE)
def test_no_membership_no_permission(db, perm):
    assert not User.objects.create_user("newcomer").has_perm(perm)


@pytest.mark.parametrize("perm", READ + MANAGE)
def test_anonymous_has_nothing(db, perm):
    assert not AnonymousUser().has_perm(perm)
    assert not has_perm(AnonymousUser(), perm)


@pytest.mark.parametrize("perm", READ + MANAGE[:2])
def test_inactive_users_have_nothing(projectteam, perm):
    projectteam.is_active = False
    assert not has_perm(projectteam, perm)
    assert not projectteam.has_perm(perm)


def test_inactive_superuser_has_nothing(db):
    admin = User.objects.create_superuser("root", password="x", is_active=False)
    assert not has_perm(admin, "countries.change_actor")


@pytest.mark.parametrize("perm", READ + MANAGE + ["auth.delete_user", "anything.at_all"])
def test_superuser_has_everything(db, perm):
    admin = User.objects.create_superuser("root", password="x")
    assert roles_of(admin) == NO_ROLES  # no membership needed
    assert has_perm(admin, perm)


def test_every_rule_names_a_real_permission():
    from django.apps import apps

    known = set()
    for model in apps.get_models():
        opts = model._meta
        known |= {f"{opts.app_label}.{a}_{opts.model_name}" for a in opts.default_permissions}
        known |= {f"{opts.app_label}.{codename}" for codename, _name in opts.permissions}
    # The admin site's own permission is the one rule that names no model.
    assert set(RULES) - known == {USE_ADMIN}


# --- Membership.clean ---------------------------------------------------------------------------


def test_second_focal_point_for_a_country(staff_py):
    paraguay_actor = Actor.objects.get(country__code="PY")
    colleague = User.objects.create_user("staff-py-2")
    membership = Membership(user=colleague, actor=paraguay_actor, is_focal_point=True)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        membership.clean()
    assert raised.value.message_dict == {
        "is_focal_point": ["Paraguay already has a focal point: staff-py."]
    }


def test_second_focal_point_through_another_actor_of_the_country(staff_py):
    other = Actor.objects.create(
        name="Secretaría Nacional de Cuidados", country=Country.objects.get(code="PY")
    )
    membership = Membership(user=User.objects.create_user("x"), actor=other, is_focal_point=True)
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_focal_point_membership_can_be_saved_again(staff_py):
    membership = staff_py.memberships.get()
    membership.full_clean()  # it does not conflict with itself


def test_focal_point_of_another_country_is_fine(staff_py):
    actor = Actor.objects.get(country__code="PY")
    Membership.objects.filter(user=staff_py).update(is_focal_point=False)
    Membership(user=User.objects.create_user("x"), actor=actor, is_focal_point=True).full_clean()


def test_colleague_who_is_not_focal_point(staff_py):
    actor = Actor.objects.get(country__code="PY")
    Membership(user=User.objects.create_user("x"), actor=actor, is_focal_point=False).full_clean()


def test_focal_point_needs_a_country(demo):
    network = Actor.objects.create(name="Red Calle")
    membership = Membership(
        user=User.objects.create_user("networker"), actor=network, is_focal_point=True
    )
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        membership.clean()
    assert raised.value.message_dict == {
        "is_focal_point": ["A focal point must work for an actor of a country."]
    }


# --- admin ---------------------------------------------------------------------------------------


def test_admin_is_open_to_the_project_team(client, projectteam):
    client.force_login(projectteam)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "PeerVisits administration" in response.content.decode()


@pytest.mark.parametrize("username", ["coordinator", "staff-py"])
def test_admin_is_closed_to_others(client, demo, username):
    client.force_login(fresh(username))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"
    response = client.get("/admin/countries/actor/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_is_closed_to_members_without_role(client):
    client.force_login(User.objects.create_user("newcomer"))
    assert client.get("/admin/").status_code == 302


def test_project_team_uses_the_actor_changelist(client, projectteam):
    client.force_login(projectteam)
    response = client.get("/admin/countries/actor/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Organización Internacional Ítalo-Latinoamericana" in content
    assert "Brasil" in content
    brasil = Actor.objects.get(name="Brasil")
    assert client.get(f"/admin/countries/actor/{brasil.pk}/change/").status_code == 200


def test_project_team_opens_the_other_admin_pages(client, projectteam):
    client.force_login(projectteam)
    assert client.get("/admin/countries/actor/?needs_review__exact=1").status_code == 200
    assert client.get("/admin/countries/person/").status_code == 200
    assert client.get("/admin/countries/membership/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_project_team_changes_data_in_admin(client, projectteam):
    client.force_login(projectteam)
    chile = Country.objects.get(code="CL")
    response = client.post(
        f"/admin/countries/country/{chile.pk}/change/",
        {"code": "CL", "programme_role": "observer", "revision": chile.revision},
    )
    assert response.status_code == 302
    chile.refresh_from_db()
    assert chile.programme_role == "observer"


def test_coordinator_cannot_change_data_in_admin(client, coordinator):
    client.force_login(coordinator)
    chile = Country.objects.get(code="CL")
    response = client.post(
        f"/admin/countries/country/{chile.pk}/change/",
        {"code": "CL", "programme_role": "observer"},
    )
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    chile.refresh_from_db()
    assert chile.programme_role == "partner"


def test_the_project_team_reads_past_versions_in_the_admin_but_cannot_revert_them(
    client, projectteam
):
    """django-simple-history's past-version page saves a POST from anyone who may view the
    history; the project's HistoryAdmin refuses it unless the user may change the object."""
    version = MethodologyVersion.objects.get(number=2)
    record = version.history.earliest("history_date")
    url = f"/admin/visits/methodologyversion/{version.pk}/history/{record.history_id}/"
    client.force_login(projectteam)
    page = client.get(url)
    assert page.status_code == 200
    assert "_save" not in page.content.decode()  # no revert button
    response = client.post(url, {"number": 99, "status": version.status})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.number == 2


@pytest.mark.django_db
def test_a_superuser_reverts_a_past_version_in_the_admin(client, demo):
    version = MethodologyVersion.objects.get(number=2)
    record = version.history.earliest("history_date")
    client.force_login(User.objects.create_superuser("root", password="x"))
    url = f"/admin/visits/methodologyversion/{version.pk}/history/{record.history_id}/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["revision"] = form["revision"].value()  # the hidden field, as the page sends it
    records = version.history.count()
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert version.history.count() == records + 1  # saved: the revert is on record
