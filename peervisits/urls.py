from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("countries/", include("countries.urls")),
    path("methodology/", include("visits.urls.methodology")),
    path("visits/", include("visits.urls.visits")),
    path("lessons/", include("lessons.urls")),
    path("reports/", include("visits.urls.reports")),
    path("admin/", admin.site.urls),
]
