"""The project's URLs and a hello-world view: the floor of the page benchmarks."""

from django.http import HttpResponse
from django.urls import path

from peervisits.urls import urlpatterns as project_urlpatterns


def hello(request):
    return HttpResponse("Hello, world")


urlpatterns = [path("bench/hello/", hello), *project_urlpatterns]
