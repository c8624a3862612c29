"""Who grants roles (countries/rules.py): superusers any, the project team ministry staff's only,
nobody but a superuser their own or an elevated account's; every change is in the history."""

import pytest
from django.contrib.auth import get_user_model

from countries.models import Actor, Membership
from countries.rules import may_grant, may_manage_account

User = get_user_model()
Role = Membership.Role
ADD = "/admin/countries/membership/add/"


@pytest.fixture
def newcomer(demo):
    return User.objects.create_user("newcomer", email="newcomer@example.org")


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="x")


def iila():
    return Actor.objects.get(memberships__user__username="coordinator")


def paraguay():
    return Actor.objects.get(country__code="PY", is_partner=True)


def add_membership(client, user, actor, role):
    return client.post(ADD, {"user": user.pk, "actor": actor.pk, "role": role})


def test_the_project_team_may_not_give_itself_a_coordinators_role(client, projectteam):
    client.force_login(projectteam)
    response = add_membership(client, projectteam, iila(), Role.COORDINATOR)
    assert response.status_code == 200
    assert "Only a superuser may give the role" in response.content.decode()
    assert not Membership.objects.filter(user=projectteam, role=Role.COORDINATOR).exists()
    # Nor a staff role on its own account.
    response = add_membership(client, projectteam, paraguay(), Role.STAFF)
    assert "memberships of their own account" in response.content.decode()
    assert not Membership.objects.filter(user=projectteam, actor=paraguay()).exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PROJECT_TEAM])
def test_the_project_team_may_not_give_anyone_an_elevated_role(client, projectteam, newcomer,
                                                                role):  # fmt: skip
    client.force_login(projectteam)
    add_membership(client, newcomer, iila(), role)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_the_project_team_gives_and_removes_the_staff_role(client, projectteam, newcomer):
    client.force_login(projectteam)
    response = add_membership(client, newcomer, paraguay(), Role.STAFF)
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert membership.role == Role.STAFF
    # …and may not raise it.
    change = f"/admin/countries/membership/{membership.pk}/change/"
    client.post(change, {"user": newcomer.pk, "actor": paraguay().pk, "role": Role.COORDINATOR})
    assert Membership.objects.get(pk=membership.pk).role == Role.STAFF
    delete = f"/admin/countries/membership/{membership.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_project_team_may_not_touch_a_coordinators_membership_or_account(
    client, projectteam, coordinator
):
    client.force_login(projectteam)
    membership = Membership.objects.get(user=coordinator)
    change = f"/admin/countries/membership/{membership.pk}/change/"
    client.post(change, {"user": coordinator.pk, "actor": membership.actor_id, "role": Role.STAFF})
    assert Membership.objects.get(pk=membership.pk).role == Role.COORDINATOR
    assert client.post(f"/admin/countries/membership/{membership.pk}/delete/",
                       {"post": "yes"}).status_code == 403  # fmt: skip
    assert Membership.objects.filter(pk=membership.pk).exists()
    # The coordinator's account: not its e-mail (a password reset would then reach the team).
    account = f"/admin/auth/user/{coordinator.pk}/change/"
    before = User.objects.get(pk=coordinator.pk).email
    client.post(account, {"username": "coordinator", "email": "team@example.org"})
    assert User.objects.get(pk=coordinator.pk).email == before
    assert not may_manage_account(projectteam, coordinator)


def test_only_a_superuser_sets_another_users_password(client, projectteam, root, staff_py):
    page = f"/admin/auth/user/{staff_py.pk}/password/"
    client.force_login(projectteam)
    assert client.get(page).status_code == 403
    response = client.post(page, {"password1": "a new secret 123", "password2": "a new secret 123"})
    assert response.status_code == 403
    assert not User.objects.get(pk=staff_py.pk).check_password("a new secret 123")
    client.force_login(root)
    assert client.get(page).status_code == 200


def test_a_superuser_grants_any_role_and_the_history_says_who(client, root, newcomer):
    assert may_grant(root, Role.PROJECT_TEAM)
    client.force_login(root)
    assert add_membership(client, newcomer, iila(), Role.PROJECT_TEAM).status_code == 302
    membership = Membership.objects.get(user=newcomer)
    change = f"/admin/countries/membership/{membership.pk}/change/"
    client.post(change, {"user": newcomer.pk, "actor": iila().pk, "role": Role.COORDINATOR})
    records = list(membership.history.order_by("history_date"))
    assert [(r.history_type, r.role, r.history_user) for r in records] == [
        ("+", Role.PROJECT_TEAM, root),
        ("~", Role.COORDINATOR, root),
    ]


def test_the_team_manages_staff_accounts(projectteam, staff_py, newcomer):
    assert may_manage_account(projectteam, staff_py)
    assert may_manage_account(projectteam, newcomer)
    assert not may_manage_account(projectteam, projectteam)
    assert may_grant(projectteam, Role.STAFF) and not may_grant(projectteam, Role.COORDINATOR)
