"""A request for a host the site does not serve is a 400 page, not a server error."""

import pytest


@pytest.mark.django_db
def test_an_unknown_host_is_a_styled_400(client, settings):
    settings.ALLOWED_HOSTS = ["peervisits.example.org"]
    response = client.get("/", HTTP_HOST="attacker.example.com")
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()
