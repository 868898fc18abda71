"""Adding issue files to the archive: find them, parse them, index them; and the bundled sample.

The one ingest path of the CLI, the chat's uploads and ``newsqa eval --corpus``.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from tqdm import tqdm

from embeddings import Encoder, load_encoder
from rag.config import Settings
from rag.index import UpdateReport, index_exists, index_location, model_for, open_index, open_writer
from rag.ingest import SUPPORTED_SUFFIXES, parse_file
from rag.types import ParsedIssue

# The bundled sample issue, indexed when `newsqa serve` finds no index.
SAMPLE_ISSUE = Path(__file__).resolve().parents[2] / "data" / "hengshui-daily-2021-12-03-A1.txt"


# Up to this many files, each gets its own line; a bigger batch gets one summary (and -v the lines).
_FILE_LINES = 20
_NOT_ISSUES = {"readme", "license", "licence", "changelog", "notice", "contributing", "authors", "copying"}


class NoIssueFiles(ValueError):
    """A path names nothing to ingest."""


def is_issue_file(path: Path) -> bool:
    """Could this file in a folder be an issue? Not a README or licence, nor a QA file (.jsonl of questions)."""
    if path.stem.lower().split(".")[0] in _NOT_ISSUES:
        return False
    if path.suffix.lower() == ".jsonl":
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                first = next((line for line in f if line.strip()), "")
            row = json.loads(first) if first else {}
        except (OSError, ValueError):
            return True  # let the reader say what is wrong with it
        return isinstance(row, dict) and "text" in row and "question" not in row
    return True


def issue_files(paths: list[str]) -> tuple[list[Path], list[Path]]:
    """(files to ingest, files passed over) for the paths given.

    A folder gives every issue file under it with a supported suffix; READMEs, licences and QA
    files in it are passed over. A file named on its own is always ingested (or refused with its
    reason).
    """
    out: list[Path] = []
    passed: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES):
                (out if is_issue_file(f) else passed).append(f)
        elif p.exists():
            out.append(p)
        else:
            raise NoIssueFiles(f"{p}: no such file or directory")
    if not out:
        raise NoIssueFiles(f"no issue files ({', '.join(SUPPORTED_SUFFIXES)}) in {' '.join(paths)}")
    return out, passed


def passed_over(files: list[Path]) -> str:
    """One line for the files a folder walk passed over."""
    names = ", ".join(f.name for f in files[:4]) + (", …" if len(files) > 4 else "")
    return f"passed over {len(files)} file{'s' if len(files) > 1 else ''} that are no issues ({names})"


def _stderr(message: str) -> None:
    print(f"newsqa: {message}", file=sys.stderr)


@dataclass(frozen=True)
class _Read:
    """What the summary needs of one parsed file, so that the file itself can be let go."""

    source: str
    newspaper: str
    date: str
    page: str
    articles: int
    paragraphs: int


def ingest_files(
    settings: Settings, files: list[Path], *, newspaper: str | None = None, date: str | None = None,
    page: str | None = None, log: Callable[[str], None] = print, warn: Callable[[str], None] | None = None,
    encoder: Encoder | None = None, show_index: bool = True, verbose: bool = False,
) -> int:
    """Parse every file, report the ones that fail, index the rest. Returns the number of failures.

    Files stream through: each is parsed, handed to the index writer and let go, so an archive of any
    size is read in the memory of one file. ``log`` hears what was indexed (a line a file for a few
    files or with ``verbose``, then one summary); ``warn`` (default: stderr) each file skipped, with
    its reason; ``show_index`` names the index folder in the summary (not to a browser's uploader).
    """
    warn = warn or _stderr
    read: dict[str, _Read] = {}
    failed = 0
    bar = tqdm(total=len(files), desc="ingesting", unit="file", disable=not (sys.stderr.isatty() and len(files) > 1))
    t0 = time.perf_counter()
    embedded = 0

    def on_chunks(n: int) -> None:
        nonlocal embedded
        embedded += n
        bar.set_postfix_str(f"{embedded} chunks, {embedded / (time.perf_counter() - t0):.1f} chunks/s")

    def parsed_files() -> Iterator[ParsedIssue]:
        nonlocal failed
        for f in files:
            try:
                p = parse_file(f, newspaper=newspaper, date=date, page=page, default_newspaper=settings.newspaper,
                               max_bytes=int(settings.max_file_mb * 2**20))
            except ValueError as exc:  # UnreadableFile, NoArticles: the message names the file and the reason
                bar.update(1)
                warn(f"skipped {exc}")
                failed += 1
                continue
            read[p.issue.source] = _Read(p.issue.source, p.issue.newspaper, p.issue.date, p.issue.page, len(p.articles),
                                         sum(len(a.paragraphs) for a in p.articles))
            yield p
            bar.update(1)

    stream = parsed_files()
    first = next(stream, None)  # the model loads only once there is something to index
    if first is None:
        bar.close()
        return failed
    try:
        encoder = encoder or load_encoder(model_for(settings), settings.model_cache, settings.embed_batch_size)
        report = open_writer(settings).update(chain([first], stream), encoder, progress=False,
                                              on_wait=lambda m: warn(f"waiting: {m}"), on_chunks=on_chunks)
    finally:
        bar.close()
    for reason in report.failed:
        warn(f"skipped {reason}")
    failed += len(report.failed)
    done = set(report.added + report.replaced + report.unchanged)
    kept = [r for r in read.values() if r.source in done]
    if verbose or len(files) <= _FILE_LINES:
        for r in kept:
            state = "unchanged" if r.source in report.unchanged else "indexed"
            log(f"{state}: {r.source} — {r.newspaper or '?'} {r.date or '?'} {r.page or ''}: "
                f"{r.articles} articles, {r.paragraphs} paragraphs")
    else:
        log(summary(kept, len(report.unchanged)))
    where = f"index {index_location(settings)}: " if show_index else "index: "
    rate = f", {report.chunks_embedded / report.seconds:.1f} chunks/s" if report.chunks_embedded and report.seconds else ""
    log(f"{where}{report.chunks_total} chunks ({report.chunks_embedded} embedded) in {report.seconds:.1f} s{rate}")
    return failed


def summary(read: list[_Read], unchanged: int = 0) -> str:
    """One line for a batch: its issues, pages, articles and paragraphs."""
    pages = Counter((r.newspaper, r.date, r.page) for r in read)
    issues = {(paper, day) for paper, day, _ in pages}
    articles = sum(r.articles for r in read)
    paragraphs = sum(r.paragraphs for r in read)
    note = f" ({unchanged} files unchanged)" if unchanged else ""
    return (f"{len(read)} files: {len(issues)} issues, {len(pages)} pages, {articles} articles, "
            f"{paragraphs} paragraphs{note}")


def remove_issues(settings: Settings, names: list[str], *, newspaper: str = "", date: str = "", page: str = "",
                  warn: Callable[[str], None] | None = None) -> UpdateReport:
    """Take sources out of the index: those named, and every one of the newspaper/date/page given."""
    warn = warn or _stderr
    chosen = list(names)
    if newspaper or date or page:
        index = open_index(settings)
        chosen += [i["source_id"] for i in index.issues()
                   if (not newspaper or i["newspaper"] == newspaper) and (not date or i["date"] == date)
                   and (not page or i["page"].upper() == page.upper()) and i["source_id"] not in chosen]
    if not chosen:
        raise NoIssueFiles("no indexed issue matches " + " ".join(
            f"{k} {v}" for k, v in (("newspaper", newspaper), ("date", date), ("page", page)) if v))
    return open_writer(settings).remove(chosen, on_wait=lambda m: warn(f"waiting: {m}"))


def ensure_sample_index(settings: Settings) -> Encoder | None:
    """Index the bundled sample issue when there is no index yet. Returns the encoder it loaded, or None."""
    if index_exists(settings):
        return None
    _stderr(f"no index at {index_location(settings)}; building one from the bundled sample issue")
    encoder = load_encoder(settings.model, settings.model_cache, settings.embed_batch_size)
    ingest_files(settings, [SAMPLE_ISSUE], log=lambda m: print(m, file=sys.stderr), encoder=encoder)
    return encoder
