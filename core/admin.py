"""Admin helpers every app's admin uses."""

from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .concurrency import RevisionCheckedForm


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, where only those who may change an object revert it.

    Its past-version page (3.13) hides the revert button from those who may only view the
    history, but saves their POST all the same: the project team, who read everything,
    could have changed any record through it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if self.revert_disabled(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ObjectPermissionsMixin:
    """Django's admin asks "may the user change (or delete) these objects?" without naming one;
    the project's rules may answer per object (a membership, a user account): ask them so."""

    def _asks(self, request, action, obj):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}", obj)

    def has_change_permission(self, request, obj=None):
        return self._asks(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._asks(request, "delete", obj)


class RevisionCheckedAdminMixin:
    """The admin's change page of a RevisionedModel refuses a stale submission like the site's
    forms (core.concurrency), also when it restores a past version."""

    form = RevisionCheckedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "revision" in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": ["revision"], "classes": ["hidden"]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # `revision` is the form's own field, not one of the model's editable ones.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name != "revision"]
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None or obj.pk is None:
            return form
        # What the page shows may be a past version (django-simple-history's restore page):
        # the revision it is checked against is the one saved now.
        current = type(obj)._default_manager.filter(pk=obj.pk).values_list("revision", flat=True)
        return type(form.__name__, (form,), {"saved_revision": current.first()})
