from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "phase", "title", "order"]
    show_change_link = True


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "status", "deadline", "adopted_at"]
    list_filter = ["status"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "phase", "version"]
    list_filter = ["version", "phase"]
    search_fields = ["code", "title", "text"]
    list_select_related = ["version"]


class CriterionCommentInline(admin.TabularInline):
    model = CriterionComment
    extra = 0


@admin.register(Endorsement)
class EndorsementAdmin(SimpleHistoryAdmin):
    list_display = ["version", "country", "consultation_round", "answer", "given_by", "given_at"]
    list_filter = ["version", "answer"]
    list_select_related = ["version", "country", "given_by"]
    inlines = [CriterionCommentInline]


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(admin.ModelAdmin):
    list_display = ["version", "criterion", "author", "created_at"]
    list_select_related = ["version", "criterion", "author"]
