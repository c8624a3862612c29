from django import template

from countries.roles import roles_of

from .. import todo

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_count(context):
    """``{% todo_count as count %}``: how many things wait for the signed-in user (their
    to-do list on the dashboard), in one query where the template asks."""
    user = context["request"].user
    if not user.is_authenticated:
        return 0
    if "todos" in context:  # the dashboard has counted its lists already
        return sum(len(listed) for listed in context["todos"])
    return todo.count_of(user, roles_of(user))
