"""The Gradio chat answers with citations and lists each cited source."""

import socket

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_render_escapes_and_lists_sources(qa):
    import ui

    a = qa.ask("景县3周岁以上人群已接种多少人？")
    md = ui.render_answer(a)
    assert "39.93万" in md and "**来源**" in md and "景县全力以赴推进疫苗接种工作" in md and "第1段" in md
    a.answer = "<img src=x onerror=alert(1)>"
    assert "<img" not in ui.render_answer(a)


def test_chat_serves_on_loopback_and_answers(qa, settings_e5):
    from dataclasses import replace

    from gradio_client import Client

    import ui

    settings = replace(settings_e5, port=_free_port())
    server = ui.serve(settings, qa=qa, block=False)
    try:
        client = Client(f"http://127.0.0.1:{settings.port}/", verbose=False)
        reply = client.predict("冀州区委书记是谁？", api_name="/chat")
        assert "张洪涛" in reply and "来源" in reply and "谱写富美冀州生态湖城建设新篇章" in reply
    finally:
        server.should_exit = True


def test_history_turns_from_gradio_messages():
    import ui

    history = [{"role": "user", "content": "冀州区委书记是谁？"},
               {"role": "assistant", "content": "张洪涛。日前…[1]\n\n**来源**"}]
    assert ui.history_turns(history) == [{"question": "冀州区委书记是谁？", "answer": "张洪涛。日前…[1]"}]
