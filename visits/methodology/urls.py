from django.urls import path

from . import views

app_name = "methodology"

urlpatterns = [
    path("", views.adopted_methodology, name="adopted"),
    path("versions/", views.version_list, name="version_list"),
    path("proposals/new/", views.propose, name="propose"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("versions/new/", views.version_create, name="version_create"),
    path("versions/<int:number>/", views.version_detail, name="version_detail"),
    path("versions/<int:number>/edit/", views.version_update, name="version_update"),
    path("versions/<int:number>/criteria/new/", views.criterion_create, name="criterion_create"),
    path(
        "versions/<int:number>/criteria/<int:pk>/edit/",
        views.criterion_update,
        name="criterion_update",
    ),
    path(
        "versions/<int:number>/criteria/<int:pk>/retire/",
        views.criterion_retire,
        name="criterion_retire",
    ),
    path(
        "versions/<int:number>/criteria/<int:pk>/move/<str:direction>/",
        views.criterion_move,
        name="criterion_move",
    ),
    path("versions/<int:number>/open/", views.open_consultation, name="open_consultation"),
    path("versions/<int:number>/answer/", views.answer, name="answer"),
    path("versions/<int:number>/comment/", views.comment, name="comment"),
    path("versions/<int:number>/adopt/", views.adopt, name="adopt"),
    path("versions/<int:number>/remind/", views.send_reminder, name="send_reminder"),
    path("versions/<int:number>/return/", views.return_to_draft, name="return_to_draft"),
    path("versions/<int:number>/history/", views.history, name="history"),
    path(
        "versions/<int:number>/history/<int:history_id>/restore/",
        views.restore,
        name="restore",
    ),
]
