"""
Report jobs move from the visits app to the reports app, and keep their table.

Only Django's idea of the model moves (state_operations); the table visits_reportjob, its
rows, indexes and files stay as they are (no database operation), so no job and no file is
lost and no downtime is needed. visits/migrations/0007 removes the model from the visits
app's state and renames its content type.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('visits', '0006_criterion_comment_keeps_its_code'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('visit', 'visit systematisation'), ('methodology', 'methodology'), ('lesson', 'lesson sheet'), ('overview', 'programme overview')], max_length=20, verbose_name='report')),
                        ('target_id', models.PositiveIntegerField(blank=True, null=True, verbose_name='target')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish'), ('pt', 'Portuguese')], max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed')], default='queued', max_length=20, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('queued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested')),
                        ('dispatched_at', models.DateTimeField(blank=True, null=True, verbose_name='dispatched')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('error_detail', models.TextField(blank=True, verbose_name='error detail')),
                        ('file', models.FileField(blank=True, upload_to='', verbose_name='file')),
                        ('pages', models.PositiveIntegerField(blank=True, null=True, verbose_name='pages')),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size in bytes')),
                        ('render_seconds', models.FloatField(blank=True, null=True, verbose_name='render time (s)')),
                        ('input_hash', models.CharField(blank=True, db_index=True, max_length=64, verbose_name='hash of the input data')),
                        ('claim', models.CharField(blank=True, editable=False, max_length=32)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_jobs', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('reused_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reports.reportjob', verbose_name='file of')),
                    ],
                    options={
                        'db_table': 'visits_reportjob',
                        'verbose_name': 'report job',
                        'verbose_name_plural': 'report jobs',
                        'ordering': ['-queued_at', '-pk'],
                        'permissions': [('request_report', 'Can request reports')],
                        'indexes': [models.Index(fields=['kind', 'target_id', 'language', 'input_hash', 'status'], name='reportjob_identical'), models.Index(fields=['status', 'queued_at'], name='reportjob_sweep')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='progress_0_100')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
