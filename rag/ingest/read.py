"""Bytes to text: detect the encoding of an issue file."""

from __future__ import annotations

import codecs
from pathlib import Path


class UnreadableFile(ValueError):
    """The file cannot be read as text; the message names the file and the reason."""


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding). UTF-8 (with or without BOM) first, then GB18030.

    GB18030 is a superset of GBK and GB2312, so one attempt covers all three;
    UTF-8 goes first because valid GB18030 byte runs rarely form valid UTF-8,
    while the reverse happens often.
    """
    if not data:
        raise UnreadableFile(f"{name}: file is empty")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise UnreadableFile(f"{name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{name}: neither UTF-8 nor GB18030/GBK text (byte {exc.start})") from None


def read_text(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(path))
