from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.models import Notification

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


def _widget_class(bound):
    widget = bound.field.widget
    if isinstance(widget, forms.CheckboxInput):
        base = "form-check-input"
    elif isinstance(widget, forms.Select):
        base = "form-select"
    else:
        base = "form-control"
    # As crispy-forms: the widget's own classes, its kind ("textinput", "select"), Bootstrap's.
    kind = widget.__class__.__name__.lower()
    own = widget.attrs.get("class")
    return " ".join(filter(None, [own, kind, base, "is-invalid" if bound.errors else ""]))


def _label(bound, css):
    required = bound.field.required
    return format_html(
        '<label for="{}" class="{}">{}{}</label>',
        bound.id_for_label,
        f"{css} requiredField" if required else css,
        bound.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )


def _errors_and_help(bound):
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            bound.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, bound.auto_id, error) for n, error in enumerate(bound.errors, 1)),
            ),
        )
        if bound.errors
        else ""
    )
    help_text = (
        # Help texts are the code's, with their markup (crispy-forms shows them so too).
        format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            bound.auto_id,
            mark_safe(bound.help_text),  # noqa: S308
        )
        if bound.help_text
        else ""
    )
    return format_html("{}{}", errors, help_text)


@register.simple_tag
def field(bound):
    """``{% field form.title %}``: the field as crispy-forms' Bootstrap 5 pack writes it (label,
    widget, errors tied to it, help), built here in one call. On the formset pages, with a
    hundred fields, crispy's nested templates took most of the page's time. Fields of several
    boxes or buttons (and files) are left to crispy."""
    widget = bound.field.widget
    if bound.is_hidden:
        return str(bound)
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.FileInput):
        return as_crispy_field(bound)
    control = bound.as_widget(attrs={"class": _widget_class(bound)})
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}{}{}</div></div>',
            bound.auto_id,
            control,
            _label(bound, "form-check-label"),
            _errors_and_help(bound),
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}</div>',
        bound.auto_id,
        _label(bound, "form-label") if bound.label else "",
        control,
        _errors_and_help(bound),
    )


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    """``{% unread_notifications as count %}``: the signed-in user's unread, visible
    notifications, counted in one query where the template asks."""
    user = context["request"].user
    if not user.is_authenticated:
        return 0
    return Notification.objects.visible_to(user).unread().count()
