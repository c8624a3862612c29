from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ReportJob


class ReportRequestForm(forms.Form):
    """POST /reports/: which report, of what, in which language."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportJob.Kind.choices)
    target = forms.IntegerField(label=_("Of"), required=False, min_value=1)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The language of the page")), *settings.LANGUAGES],
        required=False,
    )
