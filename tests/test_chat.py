"""The Gradio chat answers with citations and lists each cited source."""

import re

import pytest
from netutil import free_port

from rag.app.server import serve

pytestmark = pytest.mark.slow


def test_render_escapes_and_lists_sources(qa):
    import ui

    a = qa.ask("景县3周岁以上人群已接种多少人？")
    md = ui.render_answer(a)
    assert "39.93万" in md and "**来源**" in md and "景县全力以赴推进疫苗接种工作" in md and "第1段" in md
    a.answer = "<img src=x onerror=alert(1)> it's [x](javascript:alert(1))"
    md = ui.render_answer(a)
    assert "<img" not in md and "](javascript" not in md and "&#39;" in md and "&&" not in md


def test_chat_serves_on_loopback_and_answers(qa, settings_e5):

    from gradio_client import Client

    import ui
    from rag.chain import message_text

    settings = settings_e5.updated(port=free_port())
    server = serve(settings, qa=qa, block=False)
    try:
        client = Client(f"http://127.0.0.1:{settings.port}/", verbose=False)
        messages, sources, box = client.predict("冀州区委书记是谁？", [], ui.ALL, api_name="/chat")
        reply = message_text(messages[-1]["content"])
        assert "张洪涛" in reply and "来源" in reply and "谱写富美冀州生态湖城建设新篇章" in reply
        assert "<mark>张洪涛</mark>" in sources and box == ""
    finally:
        server.should_exit = True


def test_sources_panel_shows_neighbours_and_escapes(qa):
    import ui

    a = qa.ask("景县3周岁以上人群已接种多少人？")
    panel = ui.render_sources(qa, a)
    assert "<mark>39.93万人</mark>" in panel and "class='near'" in panel and "景县全力以赴推进疫苗接种工作" in panel
    a.citations[0].article = "<script>alert(1)</script>"
    assert "<script>" not in ui.render_sources(qa, a)


def test_examples_and_issue_choices_come_from_the_index(qa):
    import ui

    assert ui.issue_choices(qa) == [ui.ALL, "衡水日报 2021-12-03 A1"]
    assert ui.examples_for(qa) == ui.EXAMPLES["zh"]  # the sample is indexed
    assert ui.examples_for(qa, "en") == ui.EXAMPLES["en"]
    assert ui._filters_for("衡水日报 2021-12-03 A1", qa) == {"newspaper": "衡水日报", "date": "2021-12-03", "page": "A1"}


def test_history_turns_from_gradio_messages():
    import ui

    history = [{"role": "user", "content": "冀州区委书记是谁？"},
               {"role": "assistant", "content": "张洪涛。日前…[1]\n\n**来源**"}]
    assert ui.history_turns(history) == [{"question": "冀州区委书记是谁？", "answer": "张洪涛。日前…[1]"}]


def test_the_english_interface_speaks_english(qa):
    """Headings and citation lines follow the interface language, not only the title."""
    import ui

    a = qa.ask("Who is the Party secretary of Jizhou District?")
    md, panel = ui.render_answer(a, "en"), ui.render_sources(qa, a, "en")
    assert ("**Sources**" in md or "**Closest paragraphs**" in md) and "paragraph" in md
    assert not re.search(r"来源|最接近|第\d+段|版", md.split("\n", 1)[1].replace(a.citations[0].text, ""))
    assert "<h3>Sources</h3>" in panel or "<h3>Closest paragraphs</h3>" in panel
    assert "来源" in ui.render_answer(a, "zh")

