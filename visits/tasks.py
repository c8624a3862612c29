"""Work for Celery workers about visits (the methodology's are in methodology/tasks.py)."""

from celery import shared_task

from . import notices


@shared_task
def ask_for_responses():
    """Daily: ask for a response to the recommendations left open after their visit closed."""
    return notices.ask_for_responses()
