from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.permissions import USE_ADMIN


class PeerVisitsAdminSite(admin.AdminSite):
    site_header = _("PeerVisits administration")
    site_title = _("PeerVisits")
    index_title = _("Programme data")

    def has_permission(self, request):
        return request.user.has_perm(USE_ADMIN)
