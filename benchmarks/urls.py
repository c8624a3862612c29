"""The project's URLs and the hello-world views: the floor of the page benchmarks."""

from django.http import HttpResponse
from django.urls import path

from peervisits.urls import urlpatterns as project_urlpatterns


def hello(request):
    """Greets the signed-in user: reading request.user makes the session and
    authentication middleware do their work, as on every page (both are lazy)."""
    return HttpResponse(f"Hello, {request.user.get_username()}")


def bare_hello(request):
    """Reads nothing of the request: the middleware's lazy work is skipped."""
    return HttpResponse("Hello, world")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/bare-hello/", bare_hello),
    *project_urlpatterns,
]
