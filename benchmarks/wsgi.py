"""The project's WSGI application with the benchmarks' URLs (the hello-world floor beside every
page), for gunicorn in benchmarks/throughput.py."""

import os

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peervisits.settings")
django.setup(set_prefix=False)
settings.ROOT_URLCONF = "benchmarks.urls"
application = WSGIHandler()
