"""
Who may do what: the registry that every app's rules join, answered through Django's auth.

Each app states its rules in its own ``rules.py``, imported by its AppConfig's ``ready()``:
``@rule("app.perm", ...)`` on a function ``(user, obj=None) -> bool``. Views ask
``user.has_perm(perm, obj)``, templates ``perms`` or ``{% can perm obj as var %}``. A
permission without a rule is refused unless a *fallback* grants it (the project team reads
everything, whatever the model).

What a user may see is stated once per model, beside it: ``Model.objects.visible_to(user)``
for lists and ``obj.is_visible_to(user)`` for one object. The "view" rules call those, so the
pages, the permission checks and every other list use the same predicate.
"""

from django.core.exceptions import ImproperlyConfigured

# The pseudo-permission of Django's admin site: who may open it at all.
USE_ADMIN = "core.use_admin"

RULES = {}
FALLBACKS = []


def rule(*perms):
    """Register the decorated function ``(user, obj=None) -> bool`` as the rule of `perms`."""

    def register(func):
        for perm in perms:
            if perm in RULES:
                raise ImproperlyConfigured(f"{perm} has two rules: {RULES[perm]} and {func}")
            RULES[perm] = func
        return func

    return register


def fallback(func):
    """Register ``(user, perm) -> bool``, asked for a permission that has no rule."""
    FALLBACKS.append(func)
    return func


def has_perm(user, perm, obj=None):
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    check = RULES.get(perm)
    if check is None:
        return any(grant(user, perm) for grant in FALLBACKS)
    return bool(check(user, obj))


class RulesBackend:
    """Django auth backend that answers permissions from the registered rules.

    It signs nobody in and loads no user (no BaseBackend): sessions name the backend that
    signed the user in, Django's ModelBackend, even though this one is asked first."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return has_perm(user_obj, USE_ADMIN)
