"""The notification pages: the inbox, opening an item, marking all read, the preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .forms import NotificationPreferencesForm
from .models import Notification

INBOX_PAGE_SIZE = 25


@login_required
@require_GET
def inbox(request):
    visible = Notification.objects.visible_to(request.user)
    page = Paginator(visible, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications/inbox.html",
        {"page_obj": page, "notifications": page.object_list},
    )


@login_required
@require_GET
def open_notification(request, pk):
    """Marks the item read and leads to what it is about."""
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user).select_related("content_type"), pk=pk
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(notification.target.get_absolute_url())


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.filter(recipient=request.user).mark_read()
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    form = NotificationPreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "core/notifications/settings.html", {"form": form})
