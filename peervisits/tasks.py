import socket

from celery import shared_task


@shared_task
def ping():
    """Health task: proves that a worker takes tasks from the broker."""
    return {"pong": True, "worker": socket.gethostname()}
