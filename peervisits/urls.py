from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # Throttled versions of two of Django's auth views (same names, same paths), then the rest.
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("countries/", include("countries.urls")),
    path("methodology/", include("visits.methodology.urls")),
    path("visits/", include("visits.urls")),
    path("lessons/", include("lessons.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("core.urls")),
    path("calendar/", include("visits.calendar_urls")),
    path("admin/", admin.site.urls),
]
