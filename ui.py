"""The chat in the browser: a thin Gradio client of the newsqa chain."""

from __future__ import annotations

import html
import os

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


def render_answer(a: Answer) -> str:
    """The answer, then each cited source (article, page, date, paragraph) under it. Everything is escaped."""
    lines = [html.escape(a.answer)]
    if a.citations:
        lines.append("")
        lines.append("**来源**" if a.answerable else "**最接近的段落**")
        for c in a.citations:
            head = f"[{c.n}] {c.newspaper} {c.date} {c.page}版 《{c.article}》 第{c.paragraph}段"
            lines.append(f"> **{html.escape(head)}**  \n> {html.escape(c.text)}")
            lines.append("")
    return "\n".join(lines)


def build_app(qa: NewsQA) -> gr.Blocks:
    def respond(message: str, history: list) -> str:
        try:
            return render_answer(qa.ask(message))
        except BadQuestion as exc:
            return f"⚠️ {html.escape(str(exc))}"

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


def serve(settings: Settings, qa: NewsQA | None = None, block: bool = True) -> gr.Blocks:
    qa = qa or NewsQA.load(settings)
    app = build_app(qa)
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=settings.host, server_port=settings.port, share=False, inbrowser=False,
               prevent_thread_lock=not block, show_error=False)
    return app
