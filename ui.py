"""The chat in the browser: a thin Gradio client of the newsqa chain.

``build_app(qa, upload)`` makes the Blocks; the server (rag.app.server) mounts them beside the
HTTP API and hands in the upload handler, so this module knows only the chain.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import gradio as gr

from rag.chain import BadQuestion, NewsQA, turns_from_messages
from rag.ingest import SUPPORTED_SUFFIXES
from rag.types import Answer

# Example questions about the bundled sample, in each language of the interface.
EXAMPLES = {
    "zh": ["景县3周岁以上人群已接种多少人？", "冀州区委书记是谁？", "全市志愿者注册总数是多少？", "冀州区培育哪三大百亿主导产业？"],
    "en": ["How many people aged 3 and over in Jing County have been vaccinated?",
           "Who is the Party secretary of Jizhou District?", "How many volunteers are registered in the city?",
           "Which three leading industries is Jizhou District developing?"],
}
SAMPLE_SOURCE = "hengshui-daily-2021-12-03-A1.txt"


def source_href(c) -> str:
    """The page showing a cited paragraph inside its article, the answer's span highlighted."""
    href = "/source/" + "/".join(quote(part) for part in c.chunk_id.split("/"))
    if c.span:
        href += f"?start={c.span['start']}&end={c.span['end']}"
    return href


TEXT = {
    "zh": {"title": "## newsqa · 问报纸\n就已收录的报纸提问，每个回答都标注出处段落。", "placeholder":
           "输入问题，例如：景县3周岁以上人群已接种多少人？", "send": "提问", "scope": "报纸与日期", "sources": "来源",
           "closest": "最接近的段落", "upload": "上传报纸文件（.txt / .md / .html / .pdf / .jsonl）", "examples": "示例问题",
           "cite": "{newspaper} {date} {page}版 《{article}》 第{paragraph}段", "meta": "{newspaper} {date} {page}版 · 第{paragraph}段",
           "about": "《{title}》报道了什么？"},
    "en": {"title": "## newsqa · Ask the paper\nAsk about the indexed issues; every answer cites its paragraph.",
           "placeholder": "Ask a question, e.g. Who is the Party secretary of Jizhou District?", "send": "Ask",
           "scope": "Newspaper and date", "sources": "Sources", "closest": "Closest paragraphs",
           "upload": "Upload issue files (.txt / .md / .html / .pdf / .jsonl)", "examples": "Examples",
           "cite": "{newspaper} {date} page {page}, “{article}”, paragraph {paragraph}",
           "meta": "{newspaper} {date} page {page} · paragraph {paragraph}", "about": "What does “{title}” report?"},
}
LANGUAGES = {"中文": "zh", "English": "en"}
ALL = "全部 / All"


def _where(c, template: str) -> str:
    return template.format(newspaper=c.newspaper, date=c.date, page=c.page, article=c.article, paragraph=c.paragraph)


def render_answer(a: Answer, lang: str = "zh") -> str:
    """The answer, its [n] markers linked to their sources, then each cited source. Everything is escaped."""
    t = TEXT[lang]
    by_n = {c.n: c for c in a.citations}

    # Split on the [n] markers first, so that only the text between them is escaped.
    parts = re.split(r"\[(\d{1,3})\]", a.answer)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(_escape_md(part))
        else:
            c = by_n.get(int(part))
            out.append(f"[&#91;{part}&#93;]({source_href(c)})" if c else f"&#91;{part}&#93;")
    lines = ["".join(out)]
    if a.citations:
        lines.append("")
        lines.append(f"**{t['sources'] if a.answerable else t['closest']}**")
        for c in a.citations:
            head = f"[{c.n}] " + _where(c, t["cite"])
            text = c.text
            if c.span and 0 <= c.span["start"] < c.span["end"] <= len(text):
                s, e = c.span["start"], c.span["end"]
                body = f"{_escape_md(text[:s])}**{_escape_md(text[s:e])}**{_escape_md(text[e:])}"
            else:
                body = _escape_md(text)
            lines.append(f"> **[{_escape_md(head)}]({source_href(c)})**  \n> {body}")
            lines.append("")
    return "\n".join(lines)


# HTML's special characters and the ones Markdown acts on, as entities, in one pass (escaping twice
# would turn &#39; into &&#35;39;).
_MD_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                              "[": "&#91;", "]": "&#93;", "*": "&#42;", "_": "&#95;", "`": "&#96;",
                              "(": "&#40;", ")": "&#41;", "#": "&#35;", "|": "&#124;", "~": "&#126;",
                              "\\": "&#92;"})


def _escape_md(text: str) -> str:
    """Article text is untrusted: nothing in it may become markup."""
    return text.translate(_MD_ENTITIES)


def history_turns(history: list) -> list[dict]:
    """Gradio's chat history (role/content messages) as question/answer turns for follow-ups."""
    return turns_from_messages(history or [], max_answer_chars=200)


def _issue_label(i: dict) -> str:
    return " ".join(x for x in (i.get("newspaper", ""), i.get("date", ""), i.get("page", "")) if x) or i.get("source_id", "?")


def issue_choices(qa: NewsQA) -> list[str]:
    return [ALL] + sorted({_issue_label(i) for i in qa.index.issues()})


def _filters_for(choice: str, qa: NewsQA) -> dict | None:
    for i in qa.index.issues():
        if choice != ALL and _issue_label(i) == choice:
            return {k: i[k] for k in ("newspaper", "date", "page") if i.get(k)}
    return None


def examples_for(qa: NewsQA, lang: str = "zh") -> list[str]:
    """Questions about what is indexed: the sample's own when it is there, else one per headline."""
    if SAMPLE_SOURCE in {i.get("source_id") for i in qa.index.issues()}:
        return EXAMPLES[lang]
    return [TEXT[lang]["about"].format(title=t) for t in qa.index.headlines(4)] or EXAMPLES[lang]


def render_sources(qa: NewsQA, a: Answer, lang: str = "zh") -> str:
    """The cited paragraphs inside their articles (neighbours shown), the answer's span highlighted; all escaped."""
    if not a.citations:
        return ""
    t = TEXT[lang]
    esc = html.escape
    parts = [f"<div class='nqa-sources'><h3>{t['sources'] if a.answerable else t['closest']}</h3>"]
    for c in a.citations:
        ctx = qa.index.context(c.chunk_id) or {"article": {}, "paragraphs": []}
        art = ctx["article"]
        rows = []
        paras = ctx["paragraphs"]
        cited = (ctx.get("chunk") or {}).get("paragraph_id")
        at = next((i for i, p in enumerate(paras) if p["paragraph_id"] == cited), -1)
        for i, p in enumerate(paras):
            if abs(i - at) > 1:
                continue  # the cited paragraph and its neighbours
            text = p["text"]
            if i == at and c.span and 0 <= c.span["start"] < c.span["end"] <= len(text):
                s_, e_ = c.span["start"], c.span["end"]
                body = f"{esc(text[:s_])}<mark>{esc(text[s_:e_])}</mark>{esc(text[e_:])}"
            else:
                body = esc(text)
            cls = "cited" if i == at else "near"
            rows.append(f"<p class='{cls}'>{body}</p>")
        parts.append(
            f"<section id='source-{c.n}'><h4><a href='{esc(source_href(c))}' target='_blank' rel='noopener'>"
            f"[{c.n}] {esc(art.get('title', '') or c.article)}</a></h4>"
            f"<div class='meta'>{esc(_where(c, t['meta']))}</div>"
            f"{''.join(rows)}</section>")
    parts.append("</div>")
    return "".join(parts)


CSS = """
#sources mark { background: #ffd54f; }
#sources p.cited { background: #fff8e1; border-left: 3px solid #f0a500; padding: .2rem .5rem; }
#sources p.near { color: #666; font-size: .92em; }
#sources .meta { color: #777; font-size: .85em; }
@media (max-width: 700px) { #layout { flex-direction: column; } }
"""

Upload = Callable[[list], Iterator[str]]


def build_app(qa: NewsQA, upload: Upload | None = None) -> gr.Blocks:
    """The chat. ``upload(files)`` yields status lines while it indexes uploaded files (None: no upload box)."""

    def respond(message: str, history: list, scope: str, language: str):
        lang = LANGUAGES.get(language, "zh")
        history = list(history or [])
        turns = history_turns(history)
        history.append({"role": "user", "content": message})
        try:
            shown = ""
            for item in qa.stream(message, turns, _filters_for(scope, qa)):
                if isinstance(item, str):  # an LLM's tokens as they come
                    shown += item
                    yield history + [{"role": "assistant", "content": html.escape(shown)}], gr.update(), ""
                else:
                    yield (history + [{"role": "assistant", "content": render_answer(item, lang)}],
                           render_sources(qa, item, lang), "")
        except BadQuestion as exc:
            yield history + [{"role": "assistant", "content": f"**{html.escape(str(exc))}**"}], gr.update(), ""

    def uploaded(files):
        # Gradio streams status lines only from a generator function, not from a callable object.
        yield from upload(files)

    def refresh(language: str):
        qa.refresh()
        return gr.update(choices=issue_choices(qa)), gr.update(samples=[[e] for e in examples_for(qa, LANGUAGES.get(language, "zh"))])

    def switch(language: str):
        lang = LANGUAGES.get(language, "zh")
        t = TEXT[lang]
        return (t["title"], gr.update(placeholder=t["placeholder"]), gr.update(value=t["send"]),
                gr.update(label=t["scope"], choices=issue_choices(qa)), gr.update(label=t["upload"]),
                gr.update(samples=[[e] for e in examples_for(qa, lang)], label=t["examples"]))

    t = TEXT["zh"]
    with gr.Blocks(title="newsqa · 问报纸", analytics_enabled=False) as demo:
        with gr.Row():
            title = gr.Markdown(t["title"])
            lang = gr.Radio(list(LANGUAGES), value="中文", show_label=False, elem_id="lang", scale=0)
        with gr.Row(elem_id="layout"):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(height=540, label="newsqa", elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(placeholder=t["placeholder"], show_label=False, elem_id="question", scale=5,
                                     max_lines=3)
                    send = gr.Button(t["send"], variant="primary", elem_id="send", scale=1, min_width=80)
                examples = gr.Examples(examples=[[e] for e in examples_for(qa)], inputs=[box], label=t["examples"],
                                       elem_id="examples")
            with gr.Column(scale=2, min_width=300):
                scope = gr.Dropdown(issue_choices(qa), value=ALL, label=t["scope"], elem_id="scope")
                sources = gr.HTML(elem_id="sources")
                # Anyone who can open the chat can upload: a server open to the web turns this off.
                files = gr.File(label=t["upload"], file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                                elem_id="upload", visible=upload is not None)
                status = gr.Markdown(elem_id="upload-status")
        box.submit(respond, [box, chat, scope, lang], [chat, sources, box], api_name="chat")
        send.click(respond, [box, chat, scope, lang], [chat, sources, box], api_name=False)
        if upload is not None:
            files.upload(uploaded, [files], [status], api_name=False).then(refresh, [lang], [scope, examples.dataset],
                                                                        api_name=False)
        # Issues ingested elsewhere (the CLI, another server) show up when the page opens: in the
        # list, and in the example questions.
        demo.load(refresh, [lang], [scope, examples.dataset], api_name=False)
        lang.change(switch, [lang], [title, box, send, scope, files, examples.dataset], api_name=False)
    return demo
