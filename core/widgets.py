"""
Widgets for long lists of choices (actors, people): the same HTML as Django's select, written
in Python. Django renders each option through its template engine, some 50 µs an option; a
formset with a picker of a few hundred actors per row spent most of its time there.

A formset's rows share one list of choices (SharedChoices): its options are escaped once, and
each row only marks its own as selected.
"""

from functools import cached_property
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import normalize_choices
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class SharedChoices(list):
    """[(value, label)], or (group, [(value, label)]) for an optgroup, given to many widgets."""

    @cached_property
    def escaped(self):
        """[(value, its option's HTML before and after the place of " selected")] or, for an
        optgroup, (None, its opening or closing tag)."""
        parts = []
        for value, label in self:
            if isinstance(label, list | tuple):
                parts.append((None, format_html('<optgroup label="{}">', value)))
                parts += [_parts(v, sub_label) for v, sub_label in label]
                parts.append((None, "</optgroup>"))
            else:
                parts.append(_parts(value, label))
        return parts


def _parts(value, label):
    # The standard library's escape: Django's, lazy-aware, costs more than the rest together.
    value = str(value)
    return value, (f'<option value="{escape(value)}"', f">{escape(str(label))}</option>")


class QuickSelectMixin:
    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # Shared choices are kept as they are: normalising them again for every row of a
        # formset would cost as much as rendering them.
        if isinstance(value, SharedChoices):
            self._choices = value
        else:
            self._choices = normalize_choices(value)

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = {str(v) for v in self.format_value(value)}
        choices = (
            self.choices if isinstance(self.choices, SharedChoices) else SharedChoices(self.choices)
        )
        html = [format_html('<select name="{}"{}>', name, flatatt(final_attrs))]
        for option_value, option in choices.escaped:
            if option_value is None:
                html.append(option)
            else:
                before, after = option
                html.append(
                    f"{before} selected{after}" if option_value in chosen else before + after
                )
        html.append("</select>")
        return mark_safe("".join(html))


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass
