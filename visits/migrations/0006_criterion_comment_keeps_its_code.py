from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_codes(apps, schema_editor):
    CriterionComment = apps.get_model("visits", "CriterionComment")
    Criterion = apps.get_model("visits", "Criterion")
    CriterionComment.objects.update(
        criterion_code=Subquery(
            Criterion.objects.filter(pk=OuterRef("criterion_id")).values("code")
        )
    )


class Migration(migrations.Migration):
    dependencies = [("visits", "0005_report_jobs")]

    operations = [
        migrations.AddField(
            model_name="criterioncomment",
            name="criterion_code",
            field=models.CharField(default="", editable=False, max_length=20, verbose_name="code"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="criterioncomment",
            name="criterion",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="+",
                to="visits.criterion",
                verbose_name="criterion",
            ),
        ),
        migrations.AlterModelOptions(
            name="criterioncomment",
            options={
                "ordering": ["criterion__order", "criterion_code"],
                "verbose_name": "comment on a criterion",
                "verbose_name_plural": "comments on criteria",
            },
        ),
    ]
