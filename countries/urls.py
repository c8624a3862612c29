from django.urls import path

from . import views

app_name = "countries"

urlpatterns = [
    path("", views.CountryList.as_view(), name="country_list"),
    path("new/", views.CountryCreate.as_view(), name="country_create"),
    path("actors/", views.ActorList.as_view(), name="actor_list"),
    path("actors/new/", views.ActorCreate.as_view(), name="actor_create"),
    path("actors/<int:pk>/", views.ActorDetail.as_view(), name="actor_detail"),
    path("actors/<int:pk>/edit/", views.ActorUpdate.as_view(), name="actor_update"),
    path("people/", views.PersonList.as_view(), name="person_list"),
    path("people/new/", views.PersonCreate.as_view(), name="person_create"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonUpdate.as_view(), name="person_update"),
    path("<str:code>/", views.CountryDetail.as_view(), name="country_detail"),
    path("<str:code>/edit/", views.CountryUpdate.as_view(), name="country_update"),
]
