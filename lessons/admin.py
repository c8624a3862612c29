from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, RevisionCheckedAdminMixin

from .models import SDG, AddedValue, Lesson, Phase


@admin.register(SDG)
class SDGAdmin(admin.ModelAdmin):
    list_display = ["number", "english_name"]


@admin.register(AddedValue)
class AddedValueAdmin(admin.ModelAdmin):
    list_display = ["number", "english_label"]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    """The phases of the operation cycle: an editable list."""

    list_display = ["name", "order"]
    list_editable = ["order"]


@admin.register(Lesson)
class LessonAdmin(RevisionCheckedAdminMixin, HistoryAdmin):
    list_display = ["title", "knowledge_type", "status", "language", "needs_review", "updated_at"]
    list_filter = ["status", "knowledge_type", "language", "needs_review", "phase", "countries"]
    search_fields = ["title", "author", "description", "experience"]
    list_select_related = ["phase"]
    autocomplete_fields = ["actors", "related_visits"]
    filter_horizontal = ["countries", "sdgs", "added_values", "related_findings"]
    readonly_fields = ["source_file", "created_at", "updated_at", "created_by", "updated_by"]
    fieldsets = [
        (
            None,
            {"fields": ["knowledge_type", "title", "author", "language", "status", "review_note"]},
        ),
        (
            _("Knowledge Bank entry"),
            {
                "fields": [
                    "countries",
                    "countries_text",
                    "phase",
                    "phase_text",
                    "actors",
                    "sdgs",
                    "description",
                    "experience",
                    "impacts_lead",
                    "impacts",
                    "added_values",
                    "keywords",
                ]
            },
        ),
        (_("Import"), {"fields": ["needs_review", "import_note"]}),
        (None, {"fields": ["related_visits", "related_findings"]}),
        (None, {"fields": readonly_fields}),
    ]
