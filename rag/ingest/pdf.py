"""PDF pages to text with pypdf: the text layer only (a scanned page without one is refused, not OCRed)."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from rag.ingest.read import UnreadableFile


def pdf_to_text(data: bytes, name: str) -> str:
    """The text of every page, pages separated by blank lines."""
    # pypdf warns about every odd object of a damaged file; the one-line error below says enough.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # pypdf raises several kinds; all mean "needs a password"
                raise UnreadableFile(f"{name}: the PDF is encrypted; save an unprotected copy first") from None
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise UnreadableFile(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})"[:300]) from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise UnreadableFile(
            f"{name}: the PDF has no text layer ({len(pages)} page(s), a scan?); run OCR on it and ingest the text")
    return text
