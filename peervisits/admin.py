from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import permissions


class PeerVisitsAdminSite(admin.AdminSite):
    site_header = _("PeerVisits administration")
    site_title = _("PeerVisits")
    index_title = _("Programme data")

    def has_permission(self, request):
        return request.user.is_active and permissions.may_use_admin(request.user)


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
