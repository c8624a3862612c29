"""The embedded broker (peervisits/broker.py) never hands a consumer a partial message, and a
message that cannot be read is set aside, not fatal."""

import multiprocessing
import time
from pathlib import Path

from kombu import Connection

from peervisits.broker import REJECTED

MESSAGES = 3000
# Big enough that a write takes several system calls: a reader racing a writer would see it cut.
PAYLOAD = "x" * 20_000
# Named as the broker names messages, older than any it puts.
BROKEN = f"{0:015d}_broken.stress.msg"


def connection(folder):
    queue = Path(folder) / "queue"
    queue.mkdir(parents=True, exist_ok=True)
    return Connection(
        "filesystem://",
        transport="peervisits.broker:Transport",
        transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(Path(folder) / "control"),
        },
    )


def publish(folder, first, count):
    with connection(folder) as conn:
        channel = conn.default_channel
        for number in range(first, first + count):
            channel._put("stress", {"number": number, "body": PAYLOAD})


def consume(folder, expected, results, deadline):
    received = []
    with connection(folder) as conn:
        channel = conn.default_channel
        while len(received) < expected and time.monotonic() < deadline:
            try:
                message = channel._get("stress")
            except Exception as error:  # the stock transport raises on a partial message
                if type(error).__name__ == "Empty":
                    time.sleep(0.001)
                    continue
                results.put(("error", repr(error)))
                return
            received.append(message["number"])
            if message["body"] != PAYLOAD:
                results.put(("cut", message["number"]))
                return
    results.put(("received", received))


def test_a_consumer_racing_two_publishers_gets_every_message_whole(tmp_path):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    deadline = time.monotonic() + 120
    consumer = context.Process(target=consume, args=(tmp_path, MESSAGES, results, deadline))
    publishers = [
        context.Process(target=publish, args=(tmp_path, n * MESSAGES // 2, MESSAGES // 2))
        for n in range(2)
    ]
    consumer.start()
    for publisher in publishers:
        publisher.start()
    for process in [*publishers, consumer]:
        process.join(timeout=150)
        assert process.exitcode == 0
    outcome, value = results.get(timeout=5)
    assert outcome == "received", (outcome, value)
    assert sorted(value) == list(range(MESSAGES))
    assert not list((tmp_path / "queue").iterdir())  # nothing left, nothing half-written


def test_an_unreadable_message_is_set_aside_and_the_next_one_delivered(tmp_path, caplog):
    with connection(tmp_path) as conn:
        channel = conn.default_channel
        (tmp_path / "queue" / BROKEN).write_text('{"number": 1, "bo')
        channel._put("stress", {"number": 2})
        assert channel._get("stress") == {"number": 2}
    rejected = tmp_path / "queue" / REJECTED / BROKEN
    assert rejected.read_text() == '{"number": 1, "bo'
    assert "could not be read and was set aside" in caplog.text
    assert [p.name for p in (tmp_path / "queue").iterdir()] == [REJECTED]
