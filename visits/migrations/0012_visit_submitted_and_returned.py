from django.db import migrations, models


def name_submitted_and_returned_plans(apps, schema_editor):
    """Plans were drafts with a submission date (submitted) or a coordinator's note (returned)."""
    Visit = apps.get_model("visits", "Visit")
    Visit.objects.filter(status="draft", plan_submitted_at__isnull=False).update(status="submitted")
    Visit.objects.filter(status="draft").exclude(return_note="").update(status="returned")


def name_them_drafts_again(apps, schema_editor):
    Visit = apps.get_model("visits", "Visit")
    Visit.objects.filter(status="returned").update(status="draft", plan_submitted_at=None)
    Visit.objects.filter(status="submitted").update(status="draft")


STATUSES = [
    ("draft", "Draft"),
    ("submitted", "Submitted — awaiting approval"),
    ("returned", "Returned"),
    ("planned", "Planned"),
    ("conducted", "Conducted"),
    ("systematised", "Systematised"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]


class Migration(migrations.Migration):
    dependencies = [("visits", "0011_dashboard_indexes")]

    operations = [
        *(
            migrations.AlterField(
                model_name=model,
                name="status",
                field=models.CharField(
                    choices=STATUSES,
                    default="draft",
                    editable=False,
                    max_length=20,
                    verbose_name="status",
                ),
            )
            for model in ("visit", "historicalvisit")
        ),
        migrations.RunPython(name_submitted_and_returned_plans, name_them_drafts_again),
        # The dashboards' list of plans being written holds the returned ones too.
        migrations.RemoveIndex(model_name="visit", name="visit_draft_recent"),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                models.OrderBy(models.F("updated_at"), descending=True),
                condition=models.Q(status__in=["draft", "returned"]),
                name="visit_draft_recent",
            ),
        ),
    ]
