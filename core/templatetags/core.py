from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, perm, obj=None):
    """``{% can "app.change_model" obj as may_change %}``: the rules of core.permissions."""
    return context["request"].user.has_perm(perm, obj)


@register.filter
def minutes(duration):
    """A timedelta as a whole number of minutes, rounded up."""
    return -(-int(duration.total_seconds()) // 60)


@register.filter
def display_name(user):
    """A user's full name, or their username; a dash for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
