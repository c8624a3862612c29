"""Steps that several browser tests take."""

from urllib.parse import urlparse


def sign_in(page, username, password="peervisits-demo"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
