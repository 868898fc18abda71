"""The chat in the browser: a thin Gradio client of the newsqa chain."""

from __future__ import annotations

import html
import os
import re
from urllib.parse import quote

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# Gradio checks that its own server answers on localhost; a proxy must not intercept that.
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

import gradio as gr  # noqa: E402

from rag.chain import BadQuestion, NewsQA  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.followup import turns_from_messages  # noqa: E402
from rag.ingest import SUPPORTED_SUFFIXES  # noqa: E402
from rag.types import Answer  # noqa: E402

EXAMPLES = [
    "景县3周岁以上人群已接种多少人？",
    "冀州区委书记是谁？",
    "全市志愿者注册总数是多少？",
    "冀州区培育哪三大百亿主导产业？",
]


def source_href(c) -> str:
    """The page showing a cited paragraph inside its article, the answer's span highlighted."""
    href = "/source/" + "/".join(quote(part) for part in c.chunk_id.split("/"))
    if c.span:
        href += f"?start={c.span['start']}&end={c.span['end']}"
    return href


def render_answer(a: Answer) -> str:
    """The answer, its [n] markers linked to their sources, then each cited source. Everything is escaped."""
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
        lines.append("**来源**" if a.answerable else "**最接近的段落**")
        for c in a.citations:
            head = f"[{c.n}] {c.newspaper} {c.date} {c.page}版 《{c.article}》 第{c.paragraph}段"
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


TEXT = {
    "zh": {"title": "## newsqa · 问报纸\n就已收录的报纸提问，每个回答都标注出处段落。", "placeholder":
           "输入问题，例如：景县3周岁以上人群已接种多少人？", "send": "提问", "scope": "报纸与日期", "all": "全部",
           "sources": "来源", "upload": "上传报纸文件（.txt / .md / .html / .pdf / .jsonl）", "examples": "示例问题"},
    "en": {"title": "## newsqa · Ask the paper\nAsk about the indexed issues; every answer cites its paragraph.",
           "placeholder": "Ask a question, e.g. Who is the Party secretary of Jizhou District?", "send": "Ask",
           "scope": "Newspaper and date", "all": "All", "sources": "Sources",
           "upload": "Upload issue files (.txt / .md / .html / .pdf / .jsonl)", "examples": "Examples"},
}
ALL = "全部 / All"
MAX_UPLOAD_MB = 20


def _issue_label(i: dict) -> str:
    return " ".join(x for x in (i.get("newspaper", ""), i.get("date", ""), i.get("page", "")) if x) or i.get("source_id", "?")


def issue_choices(qa: NewsQA) -> list[str]:
    return [ALL] + sorted({_issue_label(i) for i in qa.index.issues()})


def _filters_for(choice: str, qa: NewsQA) -> dict | None:
    for i in qa.index.issues():
        if choice != ALL and _issue_label(i) == choice:
            return {k: i[k] for k in ("newspaper", "date", "page") if i.get(k)}
    return None


def examples_for(qa: NewsQA) -> list[str]:
    """Questions about what is indexed: the sample's own when it is there, else one per headline."""
    sources = {i.get("source_id") for i in qa.index.issues()}
    if "hengshui-daily-2021-12-03-A1.txt" in sources:
        return EXAMPLES
    return [f"《{t}》报道了什么？" for t in qa.index.headlines(4)] or EXAMPLES


def render_sources(qa: NewsQA, a: Answer) -> str:
    """The cited paragraphs inside their articles (neighbours shown), the answer's span highlighted; all escaped."""
    if not a.citations:
        return ""
    esc = html.escape
    parts = [f"<div class='nqa-sources'><h3>{'来源' if a.answerable else '最接近的段落'}</h3>"]
    for c in a.citations:
        ctx = qa.index.context(c.chunk_id) or {"article": {}, "paragraphs": []}
        art = ctx["article"]
        rows = []
        for p in ctx["paragraphs"]:
            if abs(p["idx"] - c.paragraph) > 1:
                continue  # the cited paragraph and its neighbours
            text = p["text"]
            if p["idx"] == c.paragraph and c.span and 0 <= c.span["start"] < c.span["end"] <= len(text):
                s_, e_ = c.span["start"], c.span["end"]
                body = f"{esc(text[:s_])}<mark>{esc(text[s_:e_])}</mark>{esc(text[e_:])}"
            else:
                body = esc(text)
            cls = "cited" if p["idx"] == c.paragraph else "near"
            rows.append(f"<p class='{cls}'>{body}</p>")
        parts.append(
            f"<section id='source-{c.n}'><h4><a href='{esc(source_href(c))}' target='_blank' rel='noopener'>"
            f"[{c.n}] {esc(art.get('title', '') or c.article)}</a></h4>"
            f"<div class='meta'>{esc(c.newspaper)} {esc(c.date)} {esc(c.page)}版 · 第{c.paragraph}段</div>"
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


def build_app(qa: NewsQA) -> gr.Blocks:
    import threading

    uploads = {"log": [], "running": False}

    def respond(message: str, history: list, scope: str):
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
                    yield (history + [{"role": "assistant", "content": render_answer(item)}],
                           render_sources(qa, item), "")
        except BadQuestion as exc:
            yield history + [{"role": "assistant", "content": f"⚠️ {html.escape(str(exc))}"}], gr.update(), ""

    def ingest_uploads(files):
        """Index uploaded files in the background; the chat keeps answering meanwhile."""
        import time
        from pathlib import Path

        from rag.cli import ingest_files
        from rag.ingest.read import UnreadableFile
        from rag.uploads import stage_upload, upload_folder

        if not files or not qa.settings.allow_uploads:
            yield ""
            return
        if uploads["running"]:
            yield "⚠️ 正在索引上一批文件，请稍候。Indexing the previous upload; please wait."
            return
        folder = upload_folder(qa.settings.index_dir)
        staged = []
        for f in files:
            src = Path(f if isinstance(f, str) else f.name)
            try:
                # Gradio keeps the browser's file name as the temporary file's name: cleaned, never used as a path.
                staged.append(stage_upload(src, src.name, folder, MAX_UPLOAD_MB * 2**20))
            except UnreadableFile as exc:
                yield f"⚠️ {html.escape(str(exc))}"
                return
        uploads["log"], uploads["running"] = [], True

        def work():
            try:
                failed = ingest_files(qa.settings, staged, encoder=qa.encoder, log=uploads["log"].append,
                                      warn=uploads["log"].append)
                if failed:
                    uploads["log"].append(f"{failed} file(s) could not be read")
            except Exception as exc:  # reported to the uploader, the server keeps serving
                uploads["log"].append(f"failed: {exc}")
            finally:
                uploads["running"] = False

        threading.Thread(target=work, daemon=True).start()
        started = time.time()
        while uploads["running"]:
            yield f"⏳ 索引中 Indexing… {time.time() - started:.0f} s"
            time.sleep(1)
        qa.refresh()
        yield "✅ " + html.escape(" · ".join(uploads["log"][-3:]))

    def switch(lang: str):
        t = TEXT["en" if lang == "English" else "zh"]
        return (t["title"], gr.update(placeholder=t["placeholder"]), gr.update(value=t["send"]),
                gr.update(label=t["scope"], choices=issue_choices(qa)), gr.update(label=t["upload"]))

    t = TEXT["zh"]
    with gr.Blocks(title="newsqa · 问报纸", analytics_enabled=False) as demo:
        with gr.Row():
            title = gr.Markdown(t["title"])
            lang = gr.Radio(["中文", "English"], value="中文", show_label=False, elem_id="lang", scale=0)
        with gr.Row(elem_id="layout"):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(height=540, label="newsqa", elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(placeholder=t["placeholder"], show_label=False, elem_id="question", scale=5,
                                     max_lines=3)
                    send = gr.Button(t["send"], variant="primary", elem_id="send", scale=1, min_width=80)
                gr.Examples(examples=[[e] for e in examples_for(qa)], inputs=[box], label=t["examples"])
            with gr.Column(scale=2, min_width=300):
                scope = gr.Dropdown(issue_choices(qa), value=ALL, label=t["scope"], elem_id="scope")
                sources = gr.HTML(elem_id="sources")
                # Anyone who can open the chat can upload: a server open to the web turns this off.
                upload = gr.File(label=t["upload"], file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                                 elem_id="upload", visible=qa.settings.allow_uploads)
                status = gr.Markdown(elem_id="upload-status")
        box.submit(respond, [box, chat, scope], [chat, sources, box], api_name="chat")
        send.click(respond, [box, chat, scope], [chat, sources, box], api_name=False)
        upload.upload(ingest_uploads, [upload], [status], api_name=False)
        lang.change(switch, [lang], [title, box, send, scope, upload], api_name=False)
    return demo


def create_server_app(qa: NewsQA):
    """The FastAPI app with the HTTP API and widget (rag.api), and the chat mounted at "/"."""
    from rag.api import create_app

    api = create_app(qa)
    blocks = build_app(qa)
    blocks.queue(default_concurrency_limit=4)
    # Mounted at the root: under a sub-path Gradio's page looks for its assets in the wrong place.
    return gr.mount_gradio_app(api, blocks, path="/", show_error=False, max_file_size=f"{MAX_UPLOAD_MB}mb", css=CSS)


def serve(settings: Settings, qa: NewsQA | None = None, block: bool = True):
    """Serve the chat, the API and the widget on one origin. With block=False, returns a running server."""
    import threading

    import uvicorn

    qa = qa or NewsQA.load(settings)
    app = create_server_app(qa)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if block:
        print(f"newsqa: serving on http://{settings.host}:{settings.port}/ (API docs at /api/docs)", flush=True)
        server.run()
        return server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    import time

    deadline = time.time() + 60
    while not server.started and thread.is_alive() and time.time() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"the server did not start on {settings.host}:{settings.port}")
    return server
