from importlib.metadata import PackageNotFoundError, version

from countries.roles import roles_of

try:
    VERSION = version("peervisits")
except PackageNotFoundError:  # running from a tree that was never installed
    VERSION = "dev"


def site(request):
    return {
        "peervisits_version": VERSION,
        "roles": roles_of(request.user),
    }
