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


_MD_ENTITIES = str.maketrans({"[": "&#91;", "]": "&#93;", "*": "&#42;", "_": "&#95;", "`": "&#96;",
                              "(": "&#40;", ")": "&#41;", "#": "&#35;", "|": "&#124;", "~": "&#126;"})


def _escape_md(text: str) -> str:
    """HTML-escaped, and the characters Markdown acts on written as entities: article text is untrusted."""
    return html.escape(text).translate(_MD_ENTITIES)


def history_turns(history: list) -> list[dict]:
    """Gradio's chat history (role/content messages) as question/answer turns for follow-ups."""
    turns, pending = [], None
    for m in history or []:
        role, content = (m.get("role"), m.get("content")) if isinstance(m, dict) else (None, None)
        text = content if isinstance(content, str) else ""
        if role == "user":
            pending = text
        elif role == "assistant" and pending is not None:
            turns.append({"question": pending, "answer": text.split("\n", 1)[0][:200]})
            pending = None
    return turns


def build_app(qa: NewsQA) -> gr.Blocks:
    def respond(message: str, history: list):
        try:
            shown = ""
            for item in qa.stream(message, history_turns(history)):
                if isinstance(item, str):  # an LLM's tokens as they come
                    shown += item
                    yield html.escape(shown)
                else:
                    yield render_answer(item)
        except BadQuestion as exc:
            yield f"⚠️ {html.escape(str(exc))}"

    return gr.ChatInterface(
        fn=respond,
        title="newsqa · 问报纸",
        description="就已收录的报纸提问，每个回答都标注出处段落。Ask about the indexed issues; every answer cites its paragraph.",
        examples=EXAMPLES,
        cache_examples=False,
        chatbot=gr.Chatbot(height=560, label="newsqa", elem_id="chat"),
        textbox=gr.Textbox(placeholder="输入问题，例如：景县3周岁以上人群已接种多少人？", elem_id="question"),
        api_name="chat",
    )


def create_server_app(qa: NewsQA):
    """The FastAPI app with the HTTP API and widget (rag.api), and the chat mounted at "/"."""
    from rag.api import create_app

    api = create_app(qa)
    blocks = build_app(qa)
    blocks.queue(default_concurrency_limit=4)
    # Mounted at the root: under a sub-path Gradio's page looks for its assets in the wrong place.
    return gr.mount_gradio_app(api, blocks, path="/", show_error=False)


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
