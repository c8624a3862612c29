"""
The form renderer: Django's widget templates through Jinja2, everything else (forms, fields,
the admin's widget templates) through the TEMPLATES engine, as TemplatesSetting does.

Why: a formset page writes a hundred and more widgets, and each widget's few lines of Django
template language cost more than the rest of its field. Django ships the same widget templates
for Jinja2 (django/forms/jinja2/), which writes the same HTML several times faster (a test
compares the two for every widget; make bench measures the pages: README, "What each page
costs").
"""

from functools import cached_property

from django.forms.renderers import Jinja2, TemplatesSetting

WIDGETS = "django/forms/widgets/"


class FormRenderer(TemplatesSetting):
    @cached_property
    def widget_renderer(self):
        return Jinja2()

    def get_template(self, template_name):
        if template_name.startswith(WIDGETS):
            return self.widget_renderer.get_template(template_name)
        return super().get_template(template_name)
