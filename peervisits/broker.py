"""
The embedded broker of `make run`: kombu's filesystem transport, made safe for several
processes publishing and consuming at once (settings.CELERY_BROKER_TRANSPORT names it).

kombu's own transport creates a message's file before writing it, and its consumers move and
read files without the writer's lock, so a worker could read a message that the web process or
beat was still writing and die on the half it read. Here a message is written whole under a
name no consumer looks at and renamed into the queue (a rename within a folder is atomic); a
consumer takes a message by renaming it too, so two never take the same one; and a message that
cannot be read is logged and set aside in `rejected/`, never fatal to the worker.
"""

import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

REJECTED = "rejected"


def _of_queue(name, queue):
    """Whether a file of the folder is a message of the queue (kombu's naming)."""
    return name.partition(".")[2] == f"{queue}.msg"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put the message onto the queue: written whole under a hidden name, then renamed."""
        # Zero-padded milliseconds since the epoch: names sort in the order messages were put
        # (unpadded, 999 would sort after 1000), across restarts of the machine too.
        name = f"{time.time_ns() // 1_000_000:015d}_{uuid.uuid4()}.{queue}.msg"
        final = Path(self.data_folder_out) / name
        partial = final.with_name(f".{name}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ChannelError(f"Cannot add file {final} to directory") from exc

    def _get(self, queue):
        """The oldest message of the queue; one that cannot be read is set aside."""
        folder = Path(self.data_folder_in)
        for name in sorted(os.listdir(folder)):
            if not _of_queue(name, queue):
                continue
            taken = folder / f".{name}.taken-{uuid.uuid4().hex}"
            try:
                os.rename(folder / name, taken)  # only one consumer's rename succeeds
            except OSError:
                continue
            try:
                message = loads(bytes_to_str(taken.read_bytes()))
            except (OSError, ValueError) as error:
                rejected = folder / REJECTED
                rejected.mkdir(exist_ok=True)
                os.replace(taken, rejected / name)
                logger.error("Message %s of queue %s could not be read and was set aside in %s: "
                             "%s", name, queue, rejected, error)  # fmt: skip
                continue
            taken.unlink()
            return message
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
