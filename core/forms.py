"""Form bases shared by the apps, and the form of a user's notification preferences."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from . import notifications
from .models import Channel, NotificationPreference, NotificationSettings

FOREIGN_ROW_MESSAGE = _(
    "Nothing was saved: a row sent with the form is not one of this page's rows (it belongs "
    "to something else, or was deleted in the meantime). Reload the page and enter your "
    "changes again."
)


class OwnRowsInlineFormSet(BaseInlineFormSet):
    """An inline formset that refuses rows it did not show. Django's formsets quietly skip an
    existing row whose id is not among their own (another delegation's participant, a row
    deleted meanwhile), so a tampered or outdated page would answer "saved" for nothing."""

    def clean(self):
        super().clean()
        if any(form.instance.pk is None for form in self.initial_forms):
            raise ValidationError(FOREIGN_ROW_MESSAGE, code="foreign_row")


class NotificationPreferencesForm(forms.Form):
    """A channel for each registered kind of notification, and the language of the e-mails."""

    language = forms.ChoiceField(label=_("Language of e-mails"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kind_fields = {}  # field name -> kind code
        chosen = dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "channel")
        )
        chosen_by_user = {
            code: kind for code, kind in notifications.kinds().items() if not kind.emailed_by_sender
        }
        by_label = sorted(chosen_by_user.items(), key=lambda item: str(item[1].label))
        for code, kind in by_label:
            name = self.field_name(code)
            self.kind_fields[name] = code
            self.fields[name] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=chosen.get(code, Channel.IMMEDIATE),
            )
        language = self.fields["language"]
        language.choices = [("", _("The language of my country")), *settings.LANGUAGES]
        saved = NotificationSettings.objects.filter(user=user).values_list("language", flat=True)
        language.initial = saved.first() or ""
        # The language last, after the kinds.
        self.order_fields([*self.kind_fields, "language"])

    @staticmethod
    def field_name(kind):
        """The field of a kind: its code, without the dots that a field name may not hold."""
        return "kind_" + kind.replace(".", "_")

    def save(self):
        channels = {code: self.cleaned_data[name] for name, code in self.kind_fields.items()}
        notifications.save_preferences(self.user, channels, self.cleaned_data["language"])
