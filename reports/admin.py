from django.contrib import admin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by requests and workers; the admin shows why one failed."""

    list_display = ["pk", "title", "kind", "language", "requested_by", "status", "attempts",
                    "queued_at", "render_seconds"]  # fmt: skip
    list_filter = ["status", "kind", "language"]
    list_select_related = ["requested_by"]
    search_fields = ["title", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
