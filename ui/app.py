"""The Gradio web chat over the assistant."""

from __future__ import annotations

import os

from assistant.service import Assistant
from assistant.settings import Settings


def build_app(assistant: Assistant):
    import gradio as gr

    def respond(message: str, history: list[dict]) -> str:
        answer = assistant.ask(message, history)
        text = answer.text
        if answer.citations:
            text += "\n\n" + answer.sources_block()
        return text

    return gr.ChatInterface(respond, title="Peninsula — cited answers on Lee Jae-myung's North Korea policy")


def serve(settings: Settings) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    assistant = Assistant(settings)
    assistant.ensure_index()
    build_app(assistant).queue().launch(server_name=settings.host, server_port=settings.port)
