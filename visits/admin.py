from django.contrib import admin

from core.admin import HistoryAdmin, RevisionCheckedAdminMixin

from .methodology.models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
)
from .models import (
    AgendaItem,
    Attachment,
    BudgetLine,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = ["code", "phase", "title", "order"]
    show_change_link = True


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["number", "status", "deadline", "adopted_at"]
    list_filter = ["status"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["code", "title", "phase", "version"]
    list_filter = ["version", "phase"]
    search_fields = ["code", "title", "text"]
    list_select_related = ["version"]


class CriterionCommentInline(admin.StackedInline):
    model = CriterionComment
    extra = 0


@admin.register(Endorsement)
class EndorsementAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["version", "country", "consultation_round", "answer", "given_by", "given_at"]
    list_filter = ["version", "answer"]
    list_select_related = ["version", "country", "given_by"]
    inlines = [CriterionCommentInline]


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(admin.ModelAdmin):
    list_display = ["version", "criterion", "author", "created_at"]
    list_select_related = ["version", "criterion", "author"]


class DelegationInline(admin.StackedInline):
    model = Delegation
    extra = 0
    fields = ["country", "is_host"]
    readonly_fields = ["is_host"]
    show_change_link = True


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0


@admin.register(Visit)
class VisitAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["title", "host_country", "sequence", "start_date", "status"]
    list_filter = ["status", "host_country", "thematic_focus"]
    search_fields = ["title", "objectives", "city"]
    list_select_related = ["host_country"]
    readonly_fields = ["sequence", "status", "methodology_version", "plan_submitted_at"]
    inlines = [DelegationInline, AgendaItemInline]


class ParticipantInline(admin.StackedInline):
    model = Participant
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Delegation)
class DelegationAdmin(HistoryAdmin):
    list_display = ["visit", "country", "is_host"]
    list_select_related = ["visit__host_country", "country"]
    inlines = [ParticipantInline]


@admin.register(Finding)
class FindingAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["title", "visit", "kind", "follow_up_status"]
    list_filter = ["kind", "follow_up_status"]
    search_fields = ["title", "text"]
    list_select_related = ["visit__host_country"]


@admin.register(Evaluation)
class EvaluationAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["participant", "visit", *Evaluation.DIMENSIONS]
    list_select_related = ["participant__person", "visit__host_country"]


@admin.register(BudgetLine)
class BudgetLineAdmin(HistoryAdmin):
    list_display = ["visit", "category", "planned", "actual", "currency"]
    list_select_related = ["visit__host_country"]


@admin.register(ComplianceCheck)
class ComplianceCheckAdmin(HistoryAdmin):
    list_display = ["visit", "criterion", "status"]
    list_filter = ["status"]
    list_select_related = ["visit__host_country", "criterion"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["title", "visit", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["visit__host_country"]
    readonly_fields = ["content_type", "size", "uploaded_by"]
