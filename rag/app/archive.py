"""Adding issue files to the archive: find them, parse them, index them; and the bundled sample.

The one ingest path of the CLI, the chat's uploads and ``newsqa eval --corpus``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from embeddings import Encoder, load_encoder
from rag.config import Settings
from rag.index import index_exists, open_writer
from rag.ingest import SUPPORTED_SUFFIXES, parse_file

# The bundled sample issue, indexed when `newsqa serve` finds no index.
SAMPLE_ISSUE = Path(__file__).resolve().parents[2] / "data" / "hengshui-daily-2021-12-03-A1.txt"


class NoIssueFiles(ValueError):
    """A path names nothing to ingest."""


def issue_files(paths: list[str]) -> list[Path]:
    """The files the paths name; a folder gives every file with a supported suffix under it."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
        elif p.exists():
            out.append(p)
        else:
            raise NoIssueFiles(f"{p}: no such file or directory")
    if not out:
        raise NoIssueFiles(f"no issue files ({', '.join(SUPPORTED_SUFFIXES)}) in {' '.join(paths)}")
    return out


def _stderr(message: str) -> None:
    print(f"newsqa: {message}", file=sys.stderr)


def ingest_files(
    settings: Settings, files: list[Path], *, newspaper: str | None = None, date: str | None = None,
    page: str | None = None, log: Callable[[str], None] = print, warn: Callable[[str], None] | None = None,
    encoder: Encoder | None = None, show_index: bool = True,
) -> int:
    """Parse every file, report the ones that fail, index the rest. Returns the number of failures.

    ``log`` hears what was indexed; ``warn`` (default: stderr) each file skipped, with its reason;
    ``show_index`` names the index folder in the summary (not to a browser's uploader).
    """
    warn = warn or _stderr
    parsed, failed = [], 0
    for f in files:
        try:
            parsed.append(parse_file(f, newspaper=newspaper, date=date, page=page,
                                     max_bytes=int(settings.max_file_mb * 2**20)))
        except ValueError as exc:  # UnreadableFile, NoArticles: the message names the file and the reason
            warn(f"skipped {exc}")
            failed += 1
    if not parsed:
        return failed
    encoder = encoder or load_encoder(settings.model, settings.model_cache, settings.embed_batch_size)
    report = open_writer(settings).update(parsed, encoder, on_wait=lambda m: warn(f"waiting: {m}"))
    for reason in report.failed:
        warn(f"skipped {reason}")
    failed += len(report.failed)
    for p in parsed:
        if p.issue.source not in report.added + report.replaced + report.unchanged:
            continue
        n_para = sum(len(a.paragraphs) for a in p.articles)
        state = "unchanged" if p.issue.source in report.unchanged else "indexed"
        log(f"{state}: {p.issue.source} — {p.issue.newspaper or '?'} {p.issue.date or '?'} {p.issue.page or ''}: "
            f"{len(p.articles)} articles, {n_para} paragraphs")
    where = f"index {settings.index_dir}: " if show_index else "index: "
    log(f"{where}{report.chunks_total} chunks ({report.chunks_embedded} embedded) in {report.seconds:.1f} s")
    return failed


def ensure_sample_index(settings: Settings) -> Encoder | None:
    """Index the bundled sample issue when there is no index yet. Returns the encoder it loaded, or None."""
    if index_exists(settings):
        return None
    _stderr(f"no index at {settings.index_dir}; building one from the bundled sample issue")
    encoder = load_encoder(settings.model, settings.model_cache, settings.embed_batch_size)
    ingest_files(settings, [SAMPLE_ISSUE], log=lambda m: print(m, file=sys.stderr), encoder=encoder)
    return encoder
