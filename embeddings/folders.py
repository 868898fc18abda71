"""Model folders built on the user's machine are written beside their place and renamed into it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def building(out_dir: Path) -> Iterator[Path]:
    """A scratch folder beside ``out_dir``; what the block writes into its ``model/`` replaces ``out_dir``.

    An interrupted build leaves nothing at ``out_dir`` that later runs would trust.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        yield work
        if out_dir.exists():
            shutil.rmtree(out_dir)
        (work / "model").rename(out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
