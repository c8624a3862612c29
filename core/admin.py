"""Admin helpers every app's admin uses."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


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
