from importlib.metadata import PackageNotFoundError, version

from . import permissions

try:
    VERSION = version("peervisits")
except PackageNotFoundError:  # running from a tree that was never installed
    VERSION = "dev"


def site(request):
    return {
        "peervisits_version": VERSION,
        "roles": permissions.roles_of(request.user),
    }
