from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.permissions import USE_ADMIN

from . import throttling


class PeerVisitsAdminSite(admin.AdminSite):
    site_header = _("PeerVisits administration")
    site_title = _("PeerVisits")
    index_title = _("Programme data")

    def has_permission(self, request):
        return request.user.has_perm(USE_ADMIN)

    def login(self, request, extra_context=None):
        # The same throttles as the site's own sign-in page (peervisits/throttling.py).
        if request.method == "POST" and throttling.sign_in_refused(request):
            return throttling.refused_sign_in(request)
        return super().login(request, extra_context)
