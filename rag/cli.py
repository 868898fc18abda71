"""The `newsqa` command: ingest, search, ask, show, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from rag.config import ConfigError, Settings, load_settings

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data"


class UserError(Exception):
    """Something the user can fix; printed as one line, exit status 2."""


def _questions(args: list[str]) -> list[str]:
    if args == ["-"]:
        return [line.strip() for line in sys.stdin if line.strip()]
    return args


def _files(paths: list[str]) -> list[Path]:
    from rag.ingest import SUPPORTED_SUFFIXES

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
        elif p.exists():
            out.append(p)
        else:
            raise UserError(f"{p}: no such file or directory")
    if not out:
        raise UserError(f"no issue files ({', '.join(SUPPORTED_SUFFIXES)}) in {' '.join(paths)}")
    return out


def ingest_files(
    settings: Settings, files: list[Path], *, newspaper=None, date=None, page=None, log=print, warn=None,
    encoder=None,
) -> int:
    """Parse every file, report the ones that fail, index the rest. Returns the number of failures.

    ``log`` hears what was indexed; ``warn`` (default: stderr) each file skipped, with its reason.
    """
    warn = warn or (lambda m: print(f"newsqa: {m}", file=sys.stderr))
    from embeddings import load_encoder
    from rag.index import update_index
    from rag.ingest import parse_file

    parsed, failed = [], 0
    for f in files:
        try:
            parsed.append(parse_file(f, newspaper=newspaper, date=date, page=page,
                                     max_bytes=int(settings.max_file_mb * 2**20)))
        except ValueError as exc:  # UnreadableFile, NoArticles: the message names the file and the reason
            warn(f"skipped {exc}")
            failed += 1
    if parsed:
        encoder = encoder or load_encoder(settings.model, settings.model_cache, settings.embed_batch_size)
        report = update_index(Path(settings.index_dir), parsed, encoder, max_chunk_chars=settings.max_chunk_chars,
                              dense_kind=settings.dense_index, on_wait=lambda m: warn(f"waiting: {m}"))
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
        log(f"index {settings.index_dir}: {report.chunks_total} chunks ({report.chunks_embedded} embedded) "
            f"in {report.seconds:.1f} s")
    return failed


def ensure_sample_index(settings: Settings):
    """Index the bundled sample when there is no index yet. Returns the encoder it loaded, or None."""
    from embeddings import load_encoder
    from rag.index import Index

    if Index.current_generation(Path(settings.index_dir)) is not None:
        return None
    print(f"newsqa: no index at {settings.index_dir}; building one from the bundled sample issue", file=sys.stderr)
    encoder = load_encoder(settings.model, settings.model_cache, settings.embed_batch_size)
    ingest_files(settings, _files([str(SAMPLE_DIR)]), log=lambda m: print(m, file=sys.stderr), encoder=encoder)
    return encoder


def _print_answer(a) -> None:
    print(a.answer)
    for c in a.citations:
        print(f"  [{c.n}] {c.newspaper} {c.date} {c.page} 《{c.article}》 第{c.paragraph}段 ({c.chunk_id})")


def cmd_ingest(settings: Settings, args) -> int:
    failed = ingest_files(settings, _files(args.paths), newspaper=args.newspaper, date=args.date, page=args.page)
    return 1 if failed else 0


def cmd_ask(settings: Settings, args) -> int:
    from rag.chain import BadQuestion, NewsQA

    questions = _questions(args.questions)
    qa = NewsQA.load(settings)
    status = 0
    history: list[dict] = []
    for q in questions:
        try:
            a = qa.ask(q, history if args.conversation else None)
        except BadQuestion as exc:
            print(f"newsqa: error: {exc}", file=sys.stderr)
            status = 2
            continue
        history.append({"question": q, "answer": a.short_answer})
        if args.json:
            print(json.dumps(a.to_dict(), ensure_ascii=False), flush=True)
        else:
            _print_answer(a)
    return status


def cmd_search(settings: Settings, args) -> int:
    from rag.chain import BadQuestion, NewsQA

    qa = NewsQA.load(settings)
    status = 0
    for q in _questions(args.questions):
        try:
            hits = qa.search(q, args.k)
        except BadQuestion as exc:
            print(f"newsqa: error: {exc}", file=sys.stderr)
            status = 2
            continue
        results = [h.to_result() for h in hits]
        if args.json:
            print(json.dumps({"question": q, "results": results}, ensure_ascii=False), flush=True)
        else:
            print(q)
            for i, r in enumerate(results, 1):
                print(f"  {i}. {r['score']:.3f} {r['chunk_id']} 《{r['article']}》 {r['text'][:60]}")
    return status


def cmd_show(settings: Settings, args) -> int:
    from rag.index import Index

    index = Index.open(Path(settings.index_dir))
    ctx = index.context(args.chunk_id)
    if ctx is None:
        raise UserError(f"no chunk {args.chunk_id!r} in {settings.index_dir}")
    if args.json:
        print(json.dumps(ctx, ensure_ascii=False))
        return 0
    art, chunk = ctx["article"], ctx["chunk"]
    print(f"{chunk['newspaper']} {chunk['date']} {chunk['page']}  《{art.get('title', '')}》 {art.get('subtitle', '')}")
    for p in ctx["paragraphs"]:
        mark = ">>" if p["idx"] == chunk["paragraph"] else "  "
        print(f"{mark} [{p['idx']}] {p['text']}")
    return 0


def cmd_eval(settings: Settings, args) -> int:
    from dataclasses import replace

    from rag.chain import NewsQA
    from rag.eval import compare, evaluate, load_qa, write_outputs
    from rag.eval.report import HEADLINE

    items = load_qa(Path(args.qa), args.limit)
    out = Path(args.out)
    if args.corpus:
        if args.index_dir is None:
            settings = replace(settings, index_dir=out / "index")
        if ingest_files(settings, _files(args.corpus), log=lambda msg: print(msg, file=sys.stderr)):
            raise UserError("some corpus files could not be read (see above)")
    qa = NewsQA.load(settings)
    metrics, records = evaluate(qa, items)
    meta = {
        "qa": str(args.qa), "corpus": " ".join(args.corpus or []), "index": str(settings.index_dir),
        "mode": settings.retrieval_mode, "model": qa.index.model, "questions": len(items),
        "chunks": qa.index.size, "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    write_outputs(out, metrics, records, meta)
    o = metrics["overall"]
    print("  ".join(f"{k}={o[k]:.3f}" for k in HEADLINE if isinstance(o.get(k), float)))
    print(f"wrote {out}/metrics.json, predictions.jsonl, report.md, report.html")
    if args.compare:
        print(compare(Path(args.compare), metrics))
    return 0


def cmd_serve(settings: Settings, args) -> int:
    from rag.chain import NewsQA

    # Building the sample index loads the model; serving reuses it rather than loading it again.
    encoder = ensure_sample_index(settings)
    import ui

    ui.serve(settings, qa=NewsQA.load(settings, encoder=encoder))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsqa", description="Ask questions about newspaper issues, with cited answers.")
    p.add_argument("--config", help="settings file (TOML); default ./newsqa.toml or ~/.config/newsqa/config.toml")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", dest="index_dir", help="index directory (NEWSQA_INDEX_DIR)")
    common.add_argument("--model", help="built-in model name or sentence-transformers folder (NEWSQA_MODEL)")
    common.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", parents=[common], help="build or update an index from issue files")
    s.add_argument("paths", nargs="+", help="issue files (.txt, .md) or folders of them")
    s.add_argument("--newspaper", help="newspaper name (overrides the masthead)")
    s.add_argument("--date", help="issue date, YYYY-MM-DD (overrides the masthead)")
    s.add_argument("--page", help="page or edition, e.g. A1")
    s.set_defaults(func=cmd_ingest)

    for name, func, helptext in (("ask", cmd_ask, "answer questions with citations"),
                                 ("search", cmd_search, "show the paragraphs retrieval finds")):
        s = sub.add_parser(name, parents=[common], help=helptext)
        s.add_argument("questions", nargs="+", help="questions, or - to read one a line from stdin")
        s.add_argument("--json", action="store_true", help="one JSON object a line")
        if name == "ask":
            s.add_argument("--conversation", action="store_true",
                           help="treat the questions as one conversation: later ones may be follow-ups (他/该县…)")
        if name == "search":
            s.add_argument("-k", type=int, default=None, help="results per question")
        s.set_defaults(func=func)

    s = sub.add_parser("show", parents=[common], help="show a chunk's paragraph inside its article")
    s.add_argument("chunk_id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("eval", parents=[common], help="score retrieval and answers against a QA file")
    s.add_argument("--qa", required=True, help="QA file, JSON lines")
    s.add_argument("--corpus", nargs="+", help="files to index first (issue files or a passages .jsonl)")
    s.add_argument("--out", default="eval-out", help="folder for metrics.json, predictions.jsonl, report.md/html")
    s.add_argument("--limit", type=int, default=None, help="only the first N questions")
    s.add_argument("--mode", dest="retrieval_mode", choices=["hybrid", "dense", "bm25"], default=None,
                   help="retrieval to evaluate (default: the setting, hybrid)")
    s.add_argument("--compare", metavar="OLD_DIR", help="print the differences from an earlier run")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("serve", parents=[common], help="start the chat in the browser")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from embeddings import ModelNotFound
    from rag.chain import BadQuestion
    from rag.index import IndexMismatch, IndexNotFound
    from rag.ingest import UnreadableFile

    try:
        overrides = {k: getattr(args, k, None) for k in ("index_dir", "model", "host", "port", "retrieval_mode")}
        settings = load_settings(args.config, overrides)
        level = logging.INFO if args.verbose else getattr(logging, settings.log_level.upper(), logging.WARNING)
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        return args.func(settings, args)
    except (UserError, ConfigError, IndexNotFound, IndexMismatch, ModelNotFound, UnreadableFile, BadQuestion) as exc:
        print(f"newsqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
