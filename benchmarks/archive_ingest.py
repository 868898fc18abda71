"""Archive ingest check: does every article of a crawled archive come out as the files print it?

    .venv/bin/python benchmarks/archive_ingest.py --corpus PATH/TO/people-daily --sample 100
    .venv/bin/python benchmarks/archive_ingest.py --corpus PATH/TO/people-daily --built INDEX_DIR

1. Parses every file of the archive (one article a file, date and page in the path) and checks
   each article against the file's own text: date, page and order from the path; paragraphs =
   the file's last printed lines, one a line, in order; the heading lines before them hold the
   kicker, headline, sub-headline and column tag and nothing else.
2. Ingests a random sample of the files into a fresh index with the configured model (wall time,
   chunks a second) and reads every sampled article back from the index through its reader:
   newspaper, date, page, headline and paragraph texts must equal the parse's.

Prints one JSON object. A measurement, not a test: it reads text that stays outside the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.app.archive import ingest_files, issue_files  # noqa: E402
from rag.chunking import paragraph_id  # noqa: E402
from rag.config import go_offline, load_settings  # noqa: E402
from rag.index import open_index  # noqa: E402
from rag.ingest import parse_file  # noqa: E402

_NAME = re.compile(r"(\d{4})(\d{2})(\d{2})-(\d{2})-(\d{2})\.txt$")


def check_parse(path: Path) -> dict[str, bool]:
    """Each property of one file's article, true when it agrees with the file's text."""
    raw = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    m = _NAME.search(path.name)
    p = parse_file(path)
    a = p.articles[0]
    paras = [q.text for q in a.paragraphs]
    if a.kind == "photo":  # a headline and no text: the headline is its one paragraph
        body_ok, heading = paras == [" ".join(raw)] or paras == [" ".join(x for x in (a.kicker, a.title, a.subtitle) if x)], "".join(raw)
    else:
        body_ok, heading = paras == raw[len(raw) - len(paras):], "".join(raw[: len(raw) - len(paras)])
    fields = "".join(x for x in (a.kicker, a.title, a.subtitle, a.column) if x)
    return {
        "date": p.issue.date == f"{m[1]}-{m[2]}-{m[3]}",
        "page": p.issue.page == str(int(m[4])),
        "order": a.order == int(m[5]),
        "paragraphs": body_ok,
        # Every heading line is in a field, and the fields hold nothing else (brackets and dashes aside).
        "headline": bool(a.title) and all(x in heading for x in (a.kicker, a.title, a.subtitle.strip("—"), a.column))
        and abs(len(re.sub(r"[（()）—\s]", "", heading)) - len(re.sub(r"[（()）—\s]", "", fields))) <= 0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="the archive's root folder")
    ap.add_argument("--sample", type=int, default=100, help="files to ingest and read back (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--index", help="index folder (default: a new temporary one)")
    ap.add_argument("--built", help="instead of ingesting a sample: read back every file this index holds")
    args = ap.parse_args()
    go_offline()

    files, passed = issue_files([args.corpus])
    t = time.perf_counter()
    results = {f: check_parse(f) for f in files}
    parse_s = time.perf_counter() - t
    keys = next(iter(results.values())).keys()
    failed = {k: sorted(f.name for f, r in results.items() if not r[k])[:5] for k in keys}
    out = {"files": len(files), "passed_over": len(passed), "parse_seconds": round(parse_s, 1),
           "parse_match": {k: round(sum(r[k] for r in results.values()) / len(results), 4) for k in keys},
           "all_match": round(sum(all(r.values()) for r in results.values()) / len(results), 4),
           "examples_of_mismatch": {k: v for k, v in failed.items() if v}}

    if args.sample or args.built:
        if args.built:  # an index built before (by any model): every file it holds is read back
            settings = load_settings().updated(index_dir=Path(args.built))
            index = open_index(settings)
            held = {s["source_id"] for s in index.issues()}
            sample, wall = [f for f in files if f.name in held], 0.0
        else:
            sample = sorted(random.Random(args.seed).sample(files, min(args.sample, len(files))))
            index_dir = Path(args.index or tempfile.mkdtemp(prefix="archive-ingest-")) / "idx"
            settings = load_settings().updated(index_dir=index_dir)
            t = time.perf_counter()
            ingest_files(settings, sample, log=lambda m: None)
            wall = time.perf_counter() - t
            index = open_index(settings)
        by_source = {s["source_id"]: s for s in index.issues()}
        same = 0
        for f in sample:
            p = parse_file(f)
            a = p.articles[0]
            src = by_source.get(p.issue.source, {})
            # The article's first paragraph, by the id ingest gives it (cut into chunks -1, -2… when long).
            pid = paragraph_id(p.issue.slug, p.issue.date, p.issue.page, a.order, 1)
            ctx = index.context(pid) or index.context(f"{pid}-1")
            same += bool(ctx) and (src.get("newspaper"), src.get("date"), src.get("page")) == (
                p.issue.newspaper, p.issue.date, p.issue.page) and ctx["article"]["title"] == a.title and [
                q["text"] for q in ctx["paragraphs"]] == [q.text for q in a.paragraphs]
        out.update(sample=len(sample), chunks=index.size, read_back_match=round(same / len(sample), 4))
        if wall:
            out.update(ingest_seconds=round(wall, 1), chunks_per_second=round(index.size / wall, 1))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
