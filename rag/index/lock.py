"""One writer at a time per index directory: an advisory lock on ``ROOT/LOCK``.

flock is released by the kernel when the holder dies (even by kill -9), so a
crashed ingest never leaves the index locked. Readers take no lock: they only
open complete generations named by CURRENT.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class IndexBusy(RuntimeError):
    """Another process is writing this index and did not finish within the wait allowed."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid else "another process"


@contextmanager
def writer_lock(root: Path, on_wait: Callable[[str], None] | None = None, timeout: float | None = None) -> Iterator[None]:
    """Hold the index's writer lock; if another ingest holds it, say so once through ``on_wait`` and wait.

    ``timeout`` (seconds, None = no limit) bounds the wait; past it IndexBusy is raised.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / "LOCK"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"another ingest ({_holder(path)}) is writing the index {root}; waiting for it to finish"
            if on_wait:
                on_wait(message)
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise IndexBusy(f"another ingest ({_holder(path)}) is still writing the index {root}") from None
                    time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
