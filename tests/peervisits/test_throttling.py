"""Sign-in and new passwords by e-mail are throttled per address, per user name and per both,
and the address is the client's own, behind a trusted proxy only (peervisits/throttling.py,
core/clients.py)."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory

from core.clients import client_address
from countries.demo import DEMO_PASSWORD

LOGIN = "/accounts/login/"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password, address="198.51.100.7", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_password_spraying_from_one_address_is_stopped(client, demo, settings):
    """24 wrong passwords over 15 user names from one address: each user name fails less than
    its own limit, but the address is refused after SIGN_IN_FAILURES_PER_ADDRESS."""
    names = [f"someone-{n}" for n in range(13)] + ["staff-py", "staff-uy"]
    answers = [sign_in(client, names[n % 15], "wrong").status_code for n in range(24)]
    limit = settings.SIGN_IN_FAILURES_PER_ADDRESS
    assert answers[:limit] == [200] * limit
    assert set(answers[limit:]) == {429}
    # Even the right password is refused from there for now; from elsewhere it is not.
    refused = sign_in(client, "staff-py", DEMO_PASSWORD)
    assert refused.status_code == 429
    assert "too many failed attempts" in refused.content.decode()
    assert sign_in(client, "staff-py", DEMO_PASSWORD, address="198.51.100.8").status_code == 302


def test_guessing_one_user_name_from_many_addresses_is_stopped(client, demo, settings):
    limit = settings.SIGN_IN_FAILURES_PER_USER
    for n in range(limit):
        assert sign_in(client, "staff-py", "wrong", address=f"203.0.113.{n}").status_code == 200
    assert sign_in(client, "staff-py", DEMO_PASSWORD, address="203.0.113.99").status_code == 429
    assert sign_in(client, "staff-uy", DEMO_PASSWORD, address="203.0.113.99").status_code == 302


def test_one_user_name_from_one_address_is_locked_out_first(client, demo, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "staff-py", "wrong")
    response = sign_in(client, "staff-py", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "failed attempts to sign in with this account" in response.content.decode()
    assert sign_in(client, "staff-uy", DEMO_PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_alike(client, demo, settings):
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        client.post("/admin/login/", {"username": f"x{n}", "password": "wrong"},
                    REMOTE_ADDR="198.51.100.9")  # fmt: skip
    response = client.post("/admin/login/", {"username": "projectteam", "password": DEMO_PASSWORD},
                           REMOTE_ADDR="198.51.100.9")  # fmt: skip
    assert response.status_code == 429


# --- the client's address -------------------------------------------------------------------


def address_of(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert address_of(PROXY, "203.0.113.1") == "203.0.113.1"
    # A client that sends a header of its own: the proxy appends the address it heard from.
    assert address_of(PROXY, "6.6.6.6, 203.0.113.1") == "203.0.113.1"
    # Several trusted proxies, given as a network.
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert address_of("10.0.0.9", "203.0.113.1, 10.0.0.5") == "203.0.113.1"
    assert address_of(PROXY) == PROXY  # no header: the proxy itself
    assert address_of(PROXY, "not an address") == PROXY


def test_a_forged_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert address_of("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_behind_the_proxy_one_client_cannot_lock_out_the_others(client, demo, settings):
    """Every request comes from the proxy; the limits count each client apart."""
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS + 2):
        sign_in(client, f"someone-{n}", "wrong", address=PROXY,
                HTTP_X_FORWARDED_FOR="203.0.113.66")  # fmt: skip
    assert sign_in(client, "staff-py", "wrong", address=PROXY,
                   HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429  # fmt: skip
    response = sign_in(client, "staff-py", DEMO_PASSWORD, address=PROXY,
                       HTTP_X_FORWARDED_FOR="203.0.113.67")  # fmt: skip
    assert response.status_code == 302
    # A forged header from outside the proxy does not escape the limit of its real address.
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(client, f"other-{n}", "wrong", address="198.51.100.20",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{100 + n}")  # fmt: skip
    assert sign_in(client, "staff-uy", DEMO_PASSWORD, address="198.51.100.20",
                   HTTP_X_FORWARDED_FOR="203.0.113.250").status_code == 429  # fmt: skip


# --- a new password by e-mail ---------------------------------------------------------------


def test_new_passwords_by_e_mail_are_limited(client, demo, settings, django_user_model):
    user = django_user_model.objects.get(username="staff-py")
    user.email = "staff-py@example.org"
    user.save()
    mail.outbox.clear()
    answers = [
        client.post(
            "/accounts/password_reset/", {"email": user.email}, REMOTE_ADDR=f"203.0.113.{n}"
        ).status_code  # fmt: skip
        for n in range(20)
    ]
    assert answers[:3] == [302, 302, 302]
    assert set(answers[3:]) == {429}
    assert len(mail.outbox) == 3
    refused = client.post("/accounts/password_reset/", {"email": user.email})
    assert "too often" in refused.content.decode()
    # Per address too: many e-mail addresses from one place.
    cache.clear()
    answers = [
        client.post(
            "/accounts/password_reset/", {"email": f"x{n}@example.org"}, REMOTE_ADDR="198.51.100.30"
        ).status_code  # fmt: skip
        for n in range(12)
    ]
    assert answers.count(302) == 10 and answers[10:] == [429, 429]
