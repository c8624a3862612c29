from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("", views.lesson_list, name="lesson_list"),
    path("new/", views.lesson_create, name="lesson_create"),
    path("import/", views.lesson_import, name="lesson_import"),
    path("<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("<int:pk>/edit/", views.lesson_update, name="lesson_update"),
    path("<int:pk>/history/", views.lesson_history, name="lesson_history"),
    path("<int:pk>/export.txt", views.lesson_export, name="lesson_export"),
    path("<int:pk>/transitions/<str:name>/", views.lesson_transition, name="lesson_transition"),
]
