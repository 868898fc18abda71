"""Day by day: what adding one day's issue to an archive's index costs, against indexing that day alone.

    .venv/bin/python benchmarks/day_by_day.py --corpus PATH/TO/people-daily --day 20191031 \
        --model multilingual-e5-small-int8 --work /tmp/day-by-day

1. indexes the day alone into an empty index (wall time);
2. indexes the rest of the archive into a second index (wall time, chunks a second);
3. adds the day to it (wall time; the ratio to step 1 is the figure), then removes the day again
   (wall time) and checks that the index holds exactly what it held before the day was added.

Prints one JSON object. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embeddings import load_encoder  # noqa: E402
from rag.app.archive import ingest_files, issue_files, remove_issues  # noqa: E402
from rag.config import go_offline, load_settings  # noqa: E402
from rag.index import open_index  # noqa: E402


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return round(time.perf_counter() - t, 1)


def _rows(settings) -> list[tuple[str, str]]:
    index = open_index(settings)
    return [(r["chunk_id"], r["text"]) for r in index.store.all_rows("chunks")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--day", required=True, help="the day folder to add, YYYYMMDD")
    ap.add_argument("--model", default=None, help="embedding model (default: the setting)")
    ap.add_argument("--work", default="/tmp/day-by-day", help="folder for the two indexes (emptied first)")
    ap.add_argument("--reuse-archive", action="store_true",
                    help="keep the archive index an earlier run left in --work (without the day) instead of building it")
    args = ap.parse_args()
    go_offline()
    work = Path(args.work)
    reuse = args.reuse_archive and (work / "archive" / "CURRENT").exists()
    shutil.rmtree(work / "alone", ignore_errors=True)
    if not reuse:
        shutil.rmtree(work, ignore_errors=True)
    base = load_settings()
    if args.model:
        base = base.updated(model=args.model)
    encoder = load_encoder(base.model, base.model_cache, base.embed_batch_size)
    files, _ = issue_files([args.corpus])
    day = [f for f in files if f.parent.name == args.day]
    rest = [f for f in files if f.parent.name != args.day]
    alone, archive = base.updated(index_dir=work / "alone"), base.updated(index_dir=work / "archive")
    quiet = {"log": lambda m: None, "encoder": encoder}
    out = {"model": base.model, "day": args.day, "day_files": len(day), "archive_files": len(rest)}
    out["day_alone_seconds"] = _timed(lambda: ingest_files(alone, day, **quiet))
    out["day_chunks"] = open_index(alone).size
    if not reuse:
        out["archive_seconds"] = _timed(lambda: ingest_files(archive, rest, **quiet))
    out["archive_chunks"] = open_index(archive).size
    if not reuse:
        out["archive_chunks_per_second"] = round(out["archive_chunks"] / out["archive_seconds"], 1)
    before = _rows(archive)
    out["day_added_seconds"] = _timed(lambda: ingest_files(archive, day, **quiet))
    out["added_over_alone"] = round(out["day_added_seconds"] / out["day_alone_seconds"], 2)
    names = sorted({i["source_id"] for i in open_index(alone).issues()})
    out["day_removed_seconds"] = _timed(lambda: remove_issues(archive, names))
    out["removed_restores_the_index"] = _rows(archive) == before
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
