"""Files uploaded through the browser: checked, then copied into the archive's upload folder.

The uploader's file name is untrusted: it only contributes a cleaned stem (letters,
digits, CJK, hyphens; never a dot or a slash, so never a path) and a suffix from the
supported list. The folder sits beside the index, outside anything the server serves.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.app.archive import ingest_files
from rag.chain import NewsQA
from rag.ingest import SUPPORTED_SUFFIXES, UnreadableFile
from rag.ingest.read import sniff

_UNSAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff-]+")


def upload_folder(index_dir: Path) -> Path:
    return Path(index_dir).resolve().parent / "uploads"


def safe_name(name: str) -> str:
    """A file name made from an uploader's: no directories, no dots but the suffix's."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = f".{suffix.lower()}" if f".{suffix.lower()}" in SUPPORTED_SUFFIXES else ".txt"
    stem = _UNSAFE.sub("-", stem)[:60].strip("-") or "upload"
    return stem + suffix


def stage_upload(src: Path, display_name: str, folder: Path, max_bytes: int) -> Path:
    """Check an uploaded file (size, then type by content) and copy it into ``folder``; UnreadableFile if refused."""
    size = src.stat().st_size
    if size > max_bytes:
        raise UnreadableFile(f"{display_name}: {size / 2**20:.1f} MB is over the {max_bytes / 2**20:.0f} MB upload limit")
    with open(src, "rb") as fh:
        kind = sniff(fh.read(4096))
    if kind not in ("text", "html", "pdf"):
        raise UnreadableFile(f"{display_name}: this is {kind}, not an issue")
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / safe_name(display_name)
    if dest.resolve().parent != folder.resolve():  # cannot happen with safe_name; kept as the last line of defence
        raise UnreadableFile(f"{display_name}: not a usable file name")
    shutil.copyfile(src, dest)
    return dest


class UploadJob:
    """Indexes the files a reader uploads in the chat, one batch at a time, in the background.

    Called with the uploaded files, it yields status lines (Markdown, escaped) while the batch is
    indexed; the chat keeps answering meanwhile, and sees the new issues when the batch is done.
    """

    def __init__(self, qa: NewsQA, sleep: Callable[[float], None] = time.sleep):
        self.qa = qa
        self._sleep = sleep
        self._log: list[str] = []
        self._running = False
        self._lock = threading.Lock()

    def __call__(self, files: list) -> Iterator[str]:
        settings = self.qa.settings
        if not files or not settings.allow_uploads:
            yield ""
            return
        with self._lock:
            if self._running:
                yield "正在索引上一批文件，请稍候。 / Indexing the previous upload; please wait."
                return
            self._running = True
        try:
            folder = upload_folder(settings.index_dir)
            staged = []
            for f in files:
                src = Path(f if isinstance(f, str) else f.name)
                # Gradio keeps the browser's file name as the temporary file's name: cleaned, never used as a path.
                staged.append(stage_upload(src, src.name, folder, int(settings.max_upload_mb * 2**20)))
        except UnreadableFile as exc:
            self._running = False
            yield f"**Refused:** {html.escape(str(exc))}"
            return
        except BaseException:  # nothing was started: the next upload may go ahead
            self._running = False
            raise
        self._log = []
        threading.Thread(target=self._work, args=(staged,), daemon=True).start()
        started = time.time()
        while self._running:
            yield f"索引中 / Indexing… {time.time() - started:.0f} s"
            self._sleep(1)
        self.qa.refresh()
        yield html.escape(" · ".join(self._log[-3:]))

    def _work(self, staged: list[Path]) -> None:
        try:
            failed = ingest_files(self.qa.settings, staged, encoder=self.qa.encoder, log=self._log.append,
                                  warn=self._log.append, show_index=False)
            if failed:
                self._log.append(f"{failed} file(s) could not be read")
        except Exception as exc:  # reported to the uploader; the server keeps serving
            self._log.append(f"failed: {exc}")
        finally:
            self._running = False

