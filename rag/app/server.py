"""`newsqa serve`: the HTTP API and widget (rag.app.api) and the Gradio chat (ui.py) on one origin."""

from __future__ import annotations

import os
import threading
import time

import gradio as gr
import uvicorn
from fastapi import FastAPI

import ui
from rag.app.api import create_app
from rag.app.uploads import UploadJob
from rag.chain import NewsQA
from rag.config import Settings, go_offline


def create_server_app(qa: NewsQA) -> FastAPI:
    """The FastAPI app with the HTTP API and widget, and the chat mounted at "/"."""
    api = create_app(qa)
    blocks = ui.build_app(qa, UploadJob(qa) if qa.settings.allow_uploads else None)
    blocks.queue(default_concurrency_limit=4)
    # Mounted at the root: under a sub-path Gradio's page looks for its assets in the wrong place.
    return gr.mount_gradio_app(api, blocks, path="/", show_error=False,
                               max_file_size=int(qa.settings.max_upload_mb * 2**20), css=ui.CSS)


def serve(settings: Settings, qa: NewsQA | None = None, block: bool = True) -> uvicorn.Server:
    """Serve the chat, the API and the widget on one origin. With block=False, returns a running server."""
    go_offline()
    # Gradio checks that its own server answers on localhost; a proxy must not intercept that.
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
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
    deadline = time.time() + 60
    while not server.started and thread.is_alive() and time.time() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"the server did not start on {settings.host}:{settings.port}")
    return server
