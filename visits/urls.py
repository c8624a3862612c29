from django.urls import path

from .views import agenda, attachments
from .views import visits as views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="visit_list"),
    path("new/", views.visit_create, name="visit_create"),
    path("figures/", views.programme_figures, name="programme_figures"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/edit/", views.visit_update, name="visit_update"),
    path("<int:pk>/delegations/", views.delegations, name="delegations"),
    path(
        "<int:pk>/delegations/<int:delegation_id>/participants/",
        views.participants,
        name="participants",
    ),
    path("<int:pk>/agenda/", agenda.agenda, name="agenda"),
    path("<int:pk>/agenda/edit/", agenda.agenda_edit, name="agenda_edit"),
    path("<int:pk>/agenda.ics", agenda.agenda_ics, name="agenda_ics"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("<int:pk>/findings/<int:finding_id>/edit/", views.finding_update, name="finding_update"),
    path(
        "<int:pk>/findings/<int:finding_id>/follow-up/",
        views.finding_follow_up,
        name="finding_follow_up",
    ),
    path(
        "<int:pk>/evaluations/<int:participant_id>/",
        views.evaluation,
        name="evaluation",
    ),
    path("<int:pk>/budget/", views.budget, name="budget"),
    path("<int:pk>/compliance/", views.compliance, name="compliance"),
    path("<int:pk>/attachments/", attachments.upload, name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        attachments.download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_id>/delete/",
        attachments.delete,
        name="attachment_delete",
    ),
    path("<int:pk>/transitions/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", views.restore, name="restore"),
]
