from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, perm, obj=None):
    """``{% can "app.change_model" obj as may_change %}``: the rules of peervisits.permissions."""
    return context["request"].user.has_perm(perm, obj)


@register.filter
def minutes(duration):
    """A timedelta as a whole number of minutes, rounded up."""
    return -(-int(duration.total_seconds()) // 60)
