"""What the apps above tell core about notifications, at start-up (their AppConfig.ready()):
the kinds of notification, the models notifications point to, and who knows a user's
language. Kept apart from core.notifications so that the models can read it (the service
imports the models)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # lazy: names the kind in the preferences form
    text: str  # lazy, with %(name)s placeholders filled from a notification's context
    subject: str  # lazy, the same placeholders: the subject of its immediate e-mail
    # The app sends this kind's e-mail itself (the consultation's to focal points): its items
    # are the inbox's only, and the preferences do not offer it.
    emailed_by_sender: bool = False


KINDS = {}  # code -> Kind
TARGETS = {}  # "app_label.model_name" -> model
LANGUAGE_RESOLVERS = []  # functions user -> language code or None


def register(kind, label, text, *, subject=None, emailed_by_sender=False):
    """Registers a kind of notification (again: replaces it, so a test may word it anew)."""
    KINDS[kind] = Kind(kind, label, text, subject or label, emailed_by_sender)
    return KINDS[kind]


def register_target(model):
    """Registers a model whose rows notifications point to: its default manager answers
    visible_to(user) and its rows get_absolute_url()."""
    manager = model._default_manager
    if not hasattr(manager, "visible_to") or not hasattr(model, "get_absolute_url"):
        raise ImproperlyConfigured(
            f"{model._meta.label} needs objects.visible_to(user) and get_absolute_url()"
        )
    TARGETS[model._meta.label_lower] = model
    return model


def register_language(func):
    """Registers `func(user) -> language code or None`, asked (in order of registration) for
    the language of a user who chose none."""
    if func not in LANGUAGE_RESOLVERS:
        LANGUAGE_RESOLVERS.append(func)
    return func


def kind(code):
    try:
        return KINDS[code]
    except KeyError:
        raise ImproperlyConfigured(f"no notification kind {code!r} is registered") from None


def is_target(model):
    return model._meta.label_lower in TARGETS


def visible_targets(user):
    """A condition on notifications: their target is a row of a registered model that `user`
    may see. One correlated EXISTS per model, asked of the user's own notifications only (an
    IN over every visible row would read years of visits on every page); the content type by
    its natural key (a join, no query of its own)."""
    condition = Q(pk__in=[])
    for model in TARGETS.values():
        visible = model._default_manager.visible_to(user).filter(pk=OuterRef("object_id"))
        condition |= Q(
            Exists(visible),
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )
    return condition


def target_is_visible(model, pk, user):
    """Whether the row `pk` of `model` (None: a model gone from the code) is one `user`, if
    still active, may see."""
    if model is None or not is_target(model) or not user.is_active:
        return False
    return model._default_manager.visible_to(user).filter(pk=pk).exists()


class _Context(dict):
    def __missing__(self, key):
        return "…"  # a sentence reworded since: the item still reads


def word(text, context):
    return str(text) % _Context(context or {})


def country_language(user):
    """The language the registered resolvers give `user`, if one of the site's; else None."""
    supported = {code for code, _name in settings.LANGUAGES}
    for resolve in LANGUAGE_RESOLVERS:
        language = resolve(user)
        if language in supported:
            return language
    return None
