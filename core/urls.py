from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("read/", views.mark_all_read, name="read_all"),
    path("settings/", views.preferences, name="settings"),
]
