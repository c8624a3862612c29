from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app builds on: permissions, optimistic locking, notifications, admin and
    template helpers."""

    name = "core"
