"""Files uploaded through the browser: checked, then copied into the archive's upload folder.

The uploader's file name is untrusted: it only contributes a cleaned stem (letters,
digits, CJK, hyphens; never a dot or a slash, so never a path) and a suffix from the
supported list. The folder sits beside the index, outside anything the server serves.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from rag.ingest import SUPPORTED_SUFFIXES
from rag.ingest.read import UnreadableFile, sniff

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
