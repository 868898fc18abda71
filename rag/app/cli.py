"""The `newsqa` command: ingest, search, ask, show, serve."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from pathlib import Path

from embeddings import ModelNotFound
from rag.app.archive import NoIssueFiles, ensure_sample_index, ingest_files, issue_files, passed_over, remove_issues
from rag.chain import BadQuestion, NewsQA
from rag.config import ConfigError, Settings, go_offline, load_settings
from rag.eval import compare, evaluate, load_qa, write_outputs
from rag.eval.report import HEADLINE
from rag.index import IndexMismatch, IndexNotFound, index_location, open_index
from rag.ingest import UnreadableFile


class UserError(Exception):
    """Something the user can fix; printed as one line, exit status 2."""


def _questions(args: list[str]) -> list[str]:
    if args == ["-"]:
        return [line.strip() for line in sys.stdin if line.strip()]
    return args


def _print_answer(a) -> None:
    print(a.answer)
    for c in a.citations:
        print(f"  [{c.n}] {c.newspaper} {c.date} {c.page} 《{c.article}》 第{c.paragraph}段 ({c.chunk_id})")


def cmd_ingest(settings: Settings, args) -> int:
    files, passed = issue_files(args.paths)
    if passed:
        print(f"newsqa: {passed_over(passed)}", file=sys.stderr)
    failed = ingest_files(settings, files, newspaper=args.newspaper, date=args.date, page=args.page,
                          verbose=args.verbose)
    return 1 if failed else 0


def cmd_remove(settings: Settings, args) -> int:
    if not (args.sources or args.newspaper or args.date or args.page):
        raise UserError("name the files to remove, or --newspaper/--date/--page")
    report = remove_issues(settings, args.sources, newspaper=args.newspaper or "", date=args.date or "",
                           page=args.page or "")
    for reason in report.failed:
        print(f"newsqa: {reason}", file=sys.stderr)
    for name in report.replaced:
        print(f"removed: {name}")
    print(f"index {index_location(settings)}: {report.chunks_total} chunks")
    return 1 if report.failed else 0


def cmd_ask(settings: Settings, args) -> int:
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
    qa = NewsQA.load(settings.updated(reader=False))  # search answers nothing: no reader to load
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
    index = open_index(settings)
    ctx = index.context(args.chunk_id)
    if ctx is None:
        raise UserError(f"no chunk {args.chunk_id!r} in {index_location(settings)}")
    if args.json:
        print(json.dumps(ctx, ensure_ascii=False))
        return 0
    art, chunk = ctx["article"], ctx["chunk"]
    print(f"{chunk['newspaper']} {chunk['date']} {chunk['page']}  《{art.get('title', '')}》 {art.get('subtitle', '')}")
    for p in ctx["paragraphs"]:
        mark = ">>" if p["paragraph_id"] == chunk["paragraph_id"] else "  "
        page = f"{p['page']} " if p.get("page") and p["page"] != chunk["page"] else ""
        print(f"{mark} [{page}{p['idx']}] {p['text']}")
    return 0


def cmd_eval(settings: Settings, args) -> int:
    items = load_qa(Path(args.qa), args.limit)
    out = Path(args.out)
    if args.corpus:
        if args.index_dir is None:
            # Its own index beside the report; on Milvus its own collection, never the archive's.
            settings = settings.updated(index_dir=out / "index")
            if settings.index_backend == "milvus":
                # hashlib, not hash(): the same --out names the same collection in every run.
                tag = hashlib.sha1(str(out.resolve()).encode()).hexdigest()[:8]
                settings = settings.updated(milvus_collection=f"{settings.milvus_collection}_eval_{tag}")
        if ingest_files(settings, issue_files(args.corpus)[0], log=lambda msg: print(msg, file=sys.stderr)):
            raise UserError("some corpus files could not be read (see above)")
    qa = NewsQA.load(settings)
    metrics, records = evaluate(qa, items)
    meta = {
        "qa": str(args.qa), "corpus": " ".join(args.corpus or []), "index": index_location(settings),
        "mode": settings.retrieval_mode, "model": qa.index.model, "reader": qa.reader is not None,
        "questions": len(items),
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
    # The web stack (Gradio, uvicorn) loads only for this command: the others start faster without it.
    from rag.app.server import serve

    # Building the sample index loads the model; serving reuses it rather than loading it again.
    encoder = ensure_sample_index(settings)
    serve(settings, qa=NewsQA.load(settings, encoder=encoder))
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
    s.add_argument("paths", nargs="+", help="issue files (.txt, .md, .html, .pdf) or passages (.jsonl), or folders of them")
    s.add_argument("--newspaper", help="newspaper name (overrides the masthead)")
    s.add_argument("--date", help="issue date, YYYY-MM-DD (overrides the masthead)")
    s.add_argument("--page", help="page or edition, e.g. A1")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("remove", parents=[common], help="take issues out of the index")
    s.add_argument("sources", nargs="*", help="source files as indexed (their names, as `newsqa ingest` printed them)")
    s.add_argument("--newspaper", help="every issue of this newspaper (with --date: of that day)")
    s.add_argument("--date", help="every issue of this date, YYYY-MM-DD")
    s.add_argument("--page", help="only this page")
    s.set_defaults(func=cmd_remove)

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
    go_offline()
    try:
        overrides = {k: getattr(args, k, None) for k in ("index_dir", "model", "host", "port", "retrieval_mode")}
        settings = load_settings(args.config, overrides)
        level = logging.INFO if args.verbose else getattr(logging, settings.log_level.upper(), logging.WARNING)
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        return args.func(settings, args)
    except (UserError, NoIssueFiles, ConfigError, IndexNotFound, IndexMismatch, ModelNotFound, UnreadableFile,
            BadQuestion) as exc:
        print(f"newsqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
