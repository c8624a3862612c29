"""The personal calendar feed, under /calendar/: the page with its address, its renewal, and
the feed itself, which its secret address authenticates."""

from django.urls import path

from .views import calendar

app_name = "calendar"

urlpatterns = [
    path("", calendar.feed_settings, name="feed_settings"),
    path("renew/", calendar.feed_renew, name="feed_renew"),
    path("<slug:token>.ics", calendar.feed, name="feed"),
]
