from importlib.metadata import PackageNotFoundError, version

from django.contrib.auth.models import AnonymousUser

from countries.roles import roles_of

try:
    VERSION = version("peervisits")
except PackageNotFoundError:  # running from a tree that was never installed
    VERSION = "dev"


def site(request):
    return {
        "peervisits_version": VERSION,
        # An error page for a request refused before the authentication middleware ran (a
        # host not in ALLOWED_HOSTS) has no user: it is shown as to anybody.
        "roles": roles_of(getattr(request, "user", None) or AnonymousUser()),
    }
