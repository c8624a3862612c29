"""
The address a request comes from, for throttling (django-axes, django-ratelimit) and logs.

Behind a TLS-terminating proxy every request arrives from the proxy's address, and the client's
is in X-Forwarded-For, which any client can also write. So the header is believed only when the
request comes from a proxy of settings.TRUSTED_PROXIES (addresses or networks): each proxy
appends the address of the peer it heard from, and the client is the right-most address that
is not one of the trusted proxies. Without trusted proxies, or from any other peer, the header
is ignored and the peer's own address counts.

(django-ipware matches trusted proxies only among the addresses listed in the header, not the
peer that connected, and answers no address at all when the chain does not match: every
client with a forged header would then share one counter. Hence these few lines.)
"""

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]


def _trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request):
    """The client's IP address, as a string."""
    peer = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: the proxy's own address counts
    return peer
