"""Bytes to text: what kind of file this is (by its content, not its name) and its encoding."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

DEFAULT_MAX_BYTES = 50 * 2**20

# Leading bytes of formats people drop on an upload box by mistake; a name says nothing.
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF (WebP/WAV/AVI) file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


class UnreadableFile(ValueError):
    """The file cannot be read as an issue; the message names the file and the reason."""


def sniff(data: bytes) -> str:
    """"pdf", "html", "text", or a description of a binary format we do not read."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta")):
        return "html"
    return "text"


def _looks_like_text(text: str) -> bool:
    """Binary bytes often decode as GB18030 without error; real text has few control or unassigned characters."""
    sample = text[:20000]
    if not sample:
        return True
    odd = sum(1 for ch in sample if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"))
    odd += sample.count("\ufffd")
    return odd <= 0.01 * len(sample)


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding). UTF-8 (with or without BOM) first, then GB18030.

    GB18030 is a superset of GBK and GB2312, so one attempt covers all three;
    UTF-8 goes first because valid GB18030 byte runs rarely form valid UTF-8,
    while the reverse happens often. A UTF-8 file cut off inside its last
    character (an interrupted copy) keeps everything before the cut.
    """
    if not data:
        raise UnreadableFile(f"{name}: file is empty")
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _utf8(data[len(codecs.BOM_UTF8):]), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableFile(f"{name}: starts like UTF-16 text but is not valid UTF-16") from None
    elif b"\x00" in data[:4096]:
        raise UnreadableFile(f"{name}: looks like a binary file, not text")
    else:
        try:
            text, encoding = _utf8(data), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"{name}: neither UTF-8 nor GB18030/GBK text (byte {exc.start})") from None
    if not _looks_like_text(text):
        raise UnreadableFile(f"{name}: looks like a binary file, not text (many control characters as {encoding})")
    if not text.strip():
        raise UnreadableFile(f"{name}: holds only white space")
    return text, encoding


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Only the last character is incomplete: the file was cut off, the rest is good UTF-8.
        if exc.reason == "unexpected end of data" and exc.end == len(data) and len(data) - exc.start < 4:
            return data[: exc.start].decode("utf-8")
        raise


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, refusing (before reading it) one larger than ``max_bytes``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(
                f"{path}: {size / 2**20:.1f} MB is over the {max_bytes / 2**20:.0f} MB limit for one file "
                "(setting max_file_mb)")
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    return decode_bytes(read_bytes(path, max_bytes), str(path))
