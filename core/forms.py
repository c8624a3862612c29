"""Form bases shared by the apps."""

from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

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
