"""The settings of a Celery worker started by tests/core/test_notification_worker.py: the
project's, and the tests' notification kind registered when the worker starts."""

from peervisits.settings import *  # noqa: F403

CELERY_IMPORTS = ["tests.core.notification_kinds"]
