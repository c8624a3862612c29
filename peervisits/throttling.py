"""
Throttles on signing in and on e-mails sent on request, so that guessing passwords and
flooding someone's mailbox both stop soon.

Signing in is limited three ways (docs/operator.md says how to tune them):
- per user name *and* address: django-axes locks the pair out after AXES_FAILURE_LIMIT
  failures, for AXES_COOLOFF_MINUTES; a success resets it;
- per address: SIGN_IN_FAILURES_PER_ADDRESS failures from one address (any user names: password
  spraying) in that time;
- per user name: SIGN_IN_FAILURES_PER_USER failures for one user name (from anywhere: a
  distributed guess).
The address is core.clients.client_address: behind a trusted proxy, the client's own.

A new password by e-mail is limited per address and per e-mail address, every request counted.
Counters live in the cache (Redis in production, shared by every process).
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.shortcuts import render
from django_ratelimit.core import get_usage, is_ratelimited

from core.clients import client_address


def _address(group, request):
    return client_address(request)


def _username(group, request):
    return request.POST.get("username", "").strip().casefold()


def _email(group, request):
    return request.POST.get("email", "").strip().casefold()


def _sign_in_limits():
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() // 60
    return [
        ("sign-in failures by address", _address,
         f"{settings.SIGN_IN_FAILURES_PER_ADDRESS}/{minutes:.0f}m"),
        ("sign-in failures by user", _username,
         f"{settings.SIGN_IN_FAILURES_PER_USER}/{minutes:.0f}m"),
    ]  # fmt: skip


@receiver(user_login_failed)
def count_sign_in_failure(sender, credentials, request=None, **kwargs):
    if request is None:  # authenticate() called outside a request
        return
    for group, key, rate in _sign_in_limits():
        is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def sign_in_refused(request):
    """Whether the address or the user name has failed to sign in as often as it may lately."""
    for group, key, rate in _sign_in_limits():
        usage = get_usage(request, group=group, key=key, rate=rate)
        if usage is not None and usage["count"] >= usage["limit"]:
            return True
    return False


def refused_sign_in(request):
    """The answer to a sign-in from an address or for a user name that failed too often."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/throttled.html", {"minutes": minutes}, status=429)


def password_reset_refused(request):
    """Count a request for a new password; whether its address or e-mail asked too often."""
    limits = [
        ("password resets by address", _address, settings.PASSWORD_RESETS_PER_ADDRESS),
        ("password resets by e-mail", _email, settings.PASSWORD_RESETS_PER_EMAIL),
    ]
    refused = [
        is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
        for group, key, rate in limits
    ]
    return any(refused)
