"""Evaluation outputs: metrics.json, predictions.jsonl, report.md and report.html (inline SVG plots)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from rag.eval.run import RECALL_KS

HEADLINE = ["recall@1", "recall@5", "recall@10", "mrr@10", "answer_hit", "answer_coverage", "short_hit", "span_em", "span_f1",
            "citation_precision", "citation_recall", "answered_rate", "abstention_accuracy",
            "retrieve_ms_p50", "retrieve_ms_p95", "total_ms_p50", "total_ms_p95"]


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3f}"
    return str(v)


def _table(rows: dict[str, dict], cols: list[str]) -> list[str]:
    lines = ["| | n | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for name, mets in rows.items():
        lines.append(f"| {name} | {mets['n']} | " + " | ".join(_fmt(mets.get(c)) for c in cols) + " |")
    return lines


def markdown(metrics: dict, meta: dict) -> str:
    lines = ["# newsqa evaluation", ""]
    lines += [f"- {k}: `{v}`" for k, v in meta.items()]
    lines += ["", "## Overall", ""] + _table({"all": metrics["overall"]}, HEADLINE)
    for field, title in (("by_type", "By question set"), ("by_qtype", "By question type"),
                         ("by_kind", "By answer kind")):
        if field in metrics:
            lines += ["", f"## {title}", ""] + _table(metrics[field], HEADLINE)
    return "\n".join(lines) + "\n"


def _svg_line(points: list[tuple[float, float]], xlabel: str, ylabel: str, w=420, h=240) -> str:
    pad = 40
    xs = [p[0] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1

    def px(x):
        return pad + (x - x0) / (x1 - x0) * (w - 2 * pad)

    def py(y):
        return h - pad - y * (h - 2 * pad)

    path = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(points))
    dots = "".join(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3"><title>{x}: {y:.3f}</title></circle>'
                   for x, y in points)
    ticks = "".join(f'<text x="{px(x):.1f}" y="{h - pad + 16}" font-size="11" text-anchor="middle">{x:g}</text>'
                    for x, _ in points)
    yt = "".join(f'<text x="{pad - 6}" y="{py(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.1f}</text>'
                 f'<line x1="{pad}" x2="{w - pad}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#ddd"/>'
                 for v in (0, 0.25, 0.5, 0.75, 1.0))
    return (f'<svg width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">{yt}'
            f'<path d="{path}" fill="none" stroke="#1f6feb" stroke-width="2"/>{dots}{ticks}'
            f'<text x="{w / 2}" y="{h - 6}" font-size="12" text-anchor="middle">{html.escape(xlabel)}</text>'
            f'<text x="12" y="{h / 2}" font-size="12" transform="rotate(-90 12 {h / 2})" text-anchor="middle">'
            f'{html.escape(ylabel)}</text></svg>')


def _svg_bars(values: dict[str, float], label: str, w=420, h=240, vmax: float | None = None) -> str:
    pad, n = 40, max(len(values), 1)
    vmax = vmax or max([v for v in values.values() if v is not None] or [1]) or 1
    bw = (w - 2 * pad) / n
    bars = []
    for i, (name, v) in enumerate(values.items()):
        v = v or 0.0
        bh = v / vmax * (h - 2 * pad)
        x = pad + i * bw
        shown = f"{v:.0f}" if float(v).is_integer() else f"{v:.3f}"  # counts whole, rates to three places
        bars.append(f'<rect x="{x + 2:.1f}" y="{h - pad - bh:.1f}" width="{bw - 4:.1f}" height="{bh:.1f}" '
                    f'fill="#2da44e"><title>{html.escape(name)}: {shown}</title></rect>'
                    f'<text x="{x + bw / 2:.1f}" y="{h - pad - bh - 3:.1f}" font-size="10" text-anchor="middle">'
                    f'{shown}</text>'
                    f'<text x="{x + bw / 2:.1f}" y="{h - pad + 14}" font-size="10" text-anchor="middle">'
                    f'{html.escape(name[:12])}</text>')
    return (f'<svg width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}'
            f'<text x="{w / 2}" y="16" font-size="12" text-anchor="middle">{html.escape(label)}</text></svg>')


def histogram(values: list[float], bins: int = 12) -> dict[str, float]:
    if not values:
        return {}
    lo, hi = min(values), max(values)
    step = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / step), bins - 1)] += 1
    return {f"{lo + i * step:.0f}": float(c) for i, c in enumerate(counts)}


def failures(records: list[dict]) -> list[dict]:
    """The questions to look at: answerable ones answered wrongly or not at all, unanswerable ones answered."""
    return [r for r in records if (r["gold_answerable"] and r.get("answers") and not r.get("answer_hit"))
            or (not r["gold_answerable"] and not r["abstained"])]


def _failure_table(records: list[dict]) -> str:
    failed = failures(records)
    if not failed:
        return "<h2>Questions that failed</h2><p>None.</p>"
    esc = html.escape
    head = "".join(f"<th>{c}</th>" for c in ("id", "set", "question", "gold", "answered", "confidence",
                                             "gold paragraph's rank"))
    rows = []
    for r in failed:
        said = r["short_answer"] or r["answer"] if not r["abstained"] else "(abstained)"
        gold = " / ".join(r.get("answers") or []) if r["gold_answerable"] else "(not in the issues)"
        rank = r.get("rank") if r["gold_answerable"] else ""
        rows.append("<tr>" + "".join(f"<td>{esc(str(x if x is not None else '-'))}</td>" for x in
                                     (r["id"], r["type"], r["question"], gold, said[:120], r["confidence"], rank))
                    + "</tr>")
    return (f"<h2>Questions that failed ({len(failed)} of {len(records)})</h2>"
            f"<table><tr>{head}</tr>{''.join(rows)}</table>")


def html_report(metrics: dict, records: list[dict], meta: dict) -> str:
    o = metrics["overall"]
    curve = [(k, o.get(f"recall@{k}") or 0.0) for k in RECALL_KS]
    by_type = metrics["by_type"]
    parts = [
        "<!doctype html><meta charset='utf-8'><title>newsqa evaluation</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}figure{display:inline-block;margin:8px}</style>",
        "<h1>newsqa evaluation</h1><ul>" + "".join(f"<li>{html.escape(k)}: <code>{html.escape(str(v))}</code></li>"
                                                     for k, v in meta.items()) + "</ul>",
        f"<figure>{_svg_line(curve, 'k', 'recall@k')}<figcaption>Retrieval recall@k</figcaption></figure>",
        f"<figure>{_svg_bars(histogram([r['total_ms'] for r in records]), 'questions per total latency bin (ms)')}"
        "<figcaption>Latency histogram (whole answer)</figcaption></figure>",
        f"<figure>{_svg_bars({t: v.get('recall@5') for t, v in by_type.items()}, 'recall@5 by set', vmax=1.0)}"
        "<figcaption>Recall@5 per question set</figcaption></figure>",
        f"<figure>{_svg_bars({t: v.get('answer_hit') for t, v in by_type.items()}, 'answer hit by set', vmax=1.0)}"
        "<figcaption>Answer hit per question set</figcaption></figure>",
    ]
    for field, title in (("overall", "Overall"), ("by_type", "By question set"), ("by_qtype", "By question type")):
        rows = {"all": metrics["overall"]} if field == "overall" else metrics[field]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["", "n", *HEADLINE])
        body = "".join("<tr><td>" + html.escape(name) + f"</td><td>{m['n']}</td>"
                       + "".join(f"<td>{_fmt(m.get(c))}</td>" for c in HEADLINE) + "</tr>" for name, m in rows.items())
        parts.append(f"<h2>{title}</h2><table><tr>{head}</tr>{body}</table>")
    parts.append(_failure_table(records))
    return "\n".join(parts) + "\n"


def write_outputs(out_dir: Path, metrics: dict, records: list[dict], meta: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps({"meta": meta, **metrics}, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    with open(out_dir / "predictions.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out_dir / "report.md").write_text(markdown(metrics, meta), encoding="utf-8")
    (out_dir / "report.html").write_text(html_report(metrics, records, meta), encoding="utf-8")


def compare(old_dir: Path, new: dict) -> str:
    """Differences of the headline metrics between an earlier run and this one."""
    old = json.loads((Path(old_dir) / "metrics.json").read_text(encoding="utf-8"))
    lines = [f"{'metric':<22} {'old':>9} {'new':>9} {'change':>9}"]
    groups = [("overall", old.get("overall", {}), new["overall"])]
    groups += [(f"set {t}", old.get("by_type", {}).get(t, {}), v) for t, v in new["by_type"].items()]
    for name, o, n in groups:
        lines.append(f"[{name}]")
        for key in HEADLINE:
            a, b = o.get(key), n.get(key)
            if a is None and b is None:
                continue
            delta = "" if a is None or b is None else f"{b - a:+.3f}"
            lines.append(f"  {key:<20} {_fmt(a):>9} {_fmt(b):>9} {delta:>9}")
    return "\n".join(lines)
