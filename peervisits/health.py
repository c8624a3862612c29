"""Checks behind /healthz/: each returns None when fine, or what is wrong."""

import logging

from django.db import connection

from .celery import app

logger = logging.getLogger(__name__)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down", whatever the driver raises
        logger.warning("Health check: database unreachable: %s", exc)
        return str(exc)
    return None


def check_broker(timeout=2):
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            # Opening a channel is what makes the filesystem transport check its folders.
            conn.default_channel  # noqa: B018
    except Exception as exc:
        logger.warning("Health check: broker unreachable: %s", exc)
        return str(exc)
    return None
