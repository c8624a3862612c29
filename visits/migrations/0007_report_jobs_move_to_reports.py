"""
Report jobs now belong to the reports app (reports/migrations/0001): the model leaves this
app's state, its table stays (see there). Its content type follows it, so that the admin's
history and any permission given on report jobs keep pointing at them.
"""

from django.db import migrations


def rename_content_type(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=new, model="reportjob").exists():
        return
    ContentType.objects.using(db).filter(app_label=old, model="reportjob").update(app_label=new)


def forwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, "visits", "reports")


def backwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, "reports", "visits")


class Migration(migrations.Migration):

    dependencies = [
        ("visits", "0006_criterion_comment_keeps_its_code"),
        ("reports", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReportJob")],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
