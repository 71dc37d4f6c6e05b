"""Run the frame loop's hand work and face work side by side, one thread each.

The frame loop decodes each frame once and hands it to a *lane*: a worker that does one kind of
work on every frame, in order (the hand lane: hand landmarks, then the hand check's pixel work;
the face lane: face landmarks, then the face checks' pixel work). A :class:`ThreadLane` runs its
work in its own thread behind a short queue, so with two lanes the two CPU cores work at once
while the main thread decodes the next frames; an :class:`InlineLane` runs it at once in the
caller's thread (the serial loop, for one core or for debugging).

Threads help because the heavy work is native code that releases Python's global lock while it
runs (MediaPipe's graph, OpenCV, FFmpeg). dlib's face descriptor does not release it, so while
it runs the other lane's Python code waits (its native calls in progress carry on).

Memory: each queue holds at most ``QUEUE_FRAMES`` decoded frames, so the frames in flight stay
a handful however long the clip is.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

QUEUE_FRAMES = 4  # frames waiting per lane; enough to smooth out uneven per-frame costs

_STOP = object()


class InlineLane:
    """Does the work at once, in the caller's thread."""

    def __init__(self, name: str, work: Callable[[Any], None]):
        self.name = name
        self._work = work
        self.done = 0

    def put(self, item: Any) -> None:
        self._work(item)
        self.done += 1

    def finish(self) -> None:
        return None

    def stop(self) -> None:
        return None


class ThreadLane:
    """Does the work in its own thread, items in the order they were put.

    An exception in the work stops the lane's work; the next :meth:`put` or :meth:`finish`
    re-raises it in the caller's thread (later items are drained unprocessed so the caller
    never blocks on a full queue).
    """

    def __init__(self, name: str, work: Callable[[Any], None], maxsize: int = QUEUE_FRAMES):
        self.name = name
        self._work = work
        self._queue: queue.Queue = queue.Queue(maxsize)
        self._error: BaseException | None = None
        self.done = 0
        self._thread = threading.Thread(target=self._run, name=f"ava-{name}-lane", daemon=True)
        self._thread.start()

    def put(self, item: Any) -> None:
        self._raise()
        self._queue.put(item)

    def finish(self) -> None:
        """Wait until every item put so far is done; re-raise the work's error, if any."""
        self.stop()
        self._raise()

    def stop(self) -> None:
        """End the thread once the items already queued are drained (safe to call twice)."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is None:
                try:
                    self._work(item)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self._error = exc
            self.done += 1


def make_lane(name: str, work: Callable[[Any], None], threaded: bool) -> InlineLane | ThreadLane:
    return ThreadLane(name, work) if threaded else InlineLane(name, work)
