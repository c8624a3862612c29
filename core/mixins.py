from django.contrib.auth import mixins


class PermissionRequiredMixin(mixins.PermissionRequiredMixin):
    """
    Django's mixin, asking the rules of :mod:`core.permissions`.

    Views on one object set ``permission_object = True``: the object is then
    looked up first (404 when the user may not see it) and the permission is
    checked against it (403 when they may see but not do).
    """

    permission_object = False

    def get_object(self, queryset=None):
        if queryset is None and hasattr(self, "_permission_object"):
            return self._permission_object
        return super().get_object(queryset)

    def has_permission(self):
        obj = None
        if self.permission_object:
            if not self.request.user.is_authenticated:
                return False
            obj = self._permission_object = self.get_object()
        return self.request.user.has_perms(self.get_permission_required(), obj)
