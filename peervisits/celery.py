"""The Celery application of PeerVisits, configured from Django's settings."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peervisits.settings")

app = Celery("peervisits")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks.py, and the methodology's e-mails (visits/methodology/tasks.py).
app.autodiscover_tasks()
app.autodiscover_tasks(["visits.methodology"])


@app.on_after_configure.connect
def create_filesystem_broker_folders(sender, **kwargs):
    """kombu's filesystem transport expects its folders to exist."""
    if not str(sender.conf.broker_url).startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
