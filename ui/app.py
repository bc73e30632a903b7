"""The Gradio web chat: a thin shell over `assistant.service.Assistant`.

Layout follows Kotaemon's chat page: the conversation in the middle, the sources of the selected
answer beside it (Open WebUI-style citations, the supporting sentence highlighted), settings folded
away. Per browser session the page keeps every answer object (gr.State), so the sources panel,
ratings and exports never have to re-parse the chat text.
"""

from __future__ import annotations

import html
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio reads it

import gradio as gr

from assistant.answer import Answer
from assistant.feedback import FeedbackStore, feedback_path
from assistant.grounding import claim_spans
from assistant.progress import STAGES
from assistant.service import Assistant, QuestionRejected, clean_question
from assistant.settings import RETRIEVAL_MODES, RetrievalMode, Settings
from assistant.sources import catalogue_rows
from ui.answers import ChatTurn, plain_history
from ui.export import ExportFolder
from ui.render import EMPTY_PANEL, documents_table, esc, index_status_line, message_panel, sources_panel
from ui.settings import UISettings
from ui.style import CSS
from ui.updates import KEEP, PageUpdate, by_name
from ui.uploads import ALLOWED_SUFFIXES, UploadRejected, add_document, uploads_dir, with_uploads

log = logging.getLogger(__name__)

TITLE = "Peninsula"
SUBTITLE = (
    "Cited answers about President Lee Jae-myung's North Korea policy, drawn only from the documents in the "
    "index. Every claim links to its source; when the sources do not say, the assistant says so."
)
EXAMPLES = [
    "Who did Lee call first after taking office?",
    "How did North Korea respond to Lee's gestures?",
    "What do Lee and Trump have in common?",
    "How many U.S. troops are stationed in South Korea?",
]
STREAM_WORDS = 5  # words revealed per streamed update
STREAM_PAUSE_S = 0.02  # the extractive answer is ready at once; a short pause makes the stream readable
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
FEEDBACK_HINT = "Rate an answer with the thumbs under it; a comment is optional."


# -- pure helpers -----------------------------------------------------------------------------------


def stream_steps(text: str, words: int = STREAM_WORDS) -> list[str]:
    """Growing prefixes of `text`: a few words at a time, always ending a step at a claim's citation."""
    steps: list[str] = []
    for start, end in claim_spans(text):
        for match in re.finditer(rf"(?:\S+\s*){{1,{words}}}", text[start:end]):
            steps.append(text[: start + match.end()].rstrip())
    if not steps or steps[-1] != text:
        steps.append(text)
    return steps


def turn_index(chat: list[dict[str, Any]], message_index: int) -> int:
    """The turn a chat message belongs to: messages alternate user / assistant, one pair per turn."""
    role = chat[message_index].get("role") if 0 <= message_index < len(chat) else None
    return sum(1 for m in chat[:message_index] if m.get("role") == role)


def _text(exc: BaseException) -> str:
    """An error for a toast or an API client: markup neutralised, quotes left readable."""
    return html.escape(str(exc), quote=False)


def _message_index(index: Any) -> int:
    return int(index[0] if isinstance(index, (list, tuple)) else index)


def shown(text: str) -> str:
    """Chat text as displayed. The chatbot renders HTML (sanitized), so anything that could open a
    tag is escaped and shows literally; a tracking <img> in an uploaded document stays inert text.
    The conversation itself is kept in `turns`, never re-read from the displayed text."""
    return _TAG_START.sub("&lt;", text)


def _pair(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": shown(question)}, {"role": "assistant", "content": shown(answer)}]


def _history(turns: list[ChatTurn]) -> list[dict[str, str]]:
    """What the assistant sees as earlier turns: the original texts, not the displayed ones."""
    return [
        m
        for t in turns
        for m in ({"role": "user", "content": t.question}, {"role": "assistant", "content": t.answer.text})
    ]


def _chat_of(turns: list[ChatTurn]) -> list[dict[str, str]]:
    return [m for t in turns for m in _pair(t.question, t.answer.text)]


class ChatPage:
    """The event handlers, bound to one assistant (or several answer backends) and one feedback store."""

    def __init__(self, assistant: Assistant, ui: UISettings, backends: dict[str, Assistant]) -> None:
        self.assistant = assistant
        self.ui = ui
        self.backends = backends
        self.feedback = FeedbackStore(feedback_path(assistant.settings.data_dir))
        self.exports = ExportFolder()

    # -- status -------------------------------------------------------------------------------------
    def index_status(self) -> dict[str, Any] | None:
        try:
            return self.assistant.index_status()
        except Exception:  # noqa: BLE001 - a missing index is shown on the page, not raised
            return None

    def documents_html(self) -> str:
        """The documents view beside the chat (refreshed on load and upload)."""
        try:
            rows = catalogue_rows(self.assistant.retriever.generation)
        except Exception:  # noqa: BLE001 - a missing index is shown on the page, not raised
            rows = []
        return documents_table(rows)

    def header_html(self) -> str:
        """Title, one line on what this is, and the index being served (refreshed on load and upload)."""
        status = self.index_status()
        line = index_status_line(status, None if status else "no index yet: run `python -m assistant index`")
        return f"<h1>{esc(TITLE)}</h1><p>{esc(SUBTITLE)}</p>{line}"

    # -- asking -------------------------------------------------------------------------------------
    def stream(
        self, question: str, history: list[dict[str, str]], k: int | None, mode: str | None, backend: str | None
    ) -> Iterator[str | Answer]:
        assistant = self.backends.get(backend or "", self.assistant)
        # The mode comes from the retrieval Radio, which offers only RETRIEVAL_MODES.
        retriever = cast(RetrievalMode | None, mode or None)
        return assistant.stream(question, history, k=int(k) if k else None, retriever=retriever)

    def _turn_settings(self, k: int | None, mode: str | None, backend: str | None) -> dict[str, Any]:
        status = self.index_status() or {}
        return {
            "top_k": int(k) if k else self.assistant.settings.top_k,
            "retriever": mode or self.assistant.settings.retriever,
            "backend": backend or self.assistant.settings.llm,
            "index_generation": status.get("generation"),
            "embedding_model": status.get("embedding_model"),
        }

    def _downloads(self, session: str, turns: list[ChatTurn]) -> dict[str, Any]:
        """The two download buttons' updates, as PageUpdate fields."""
        if not turns:
            return {
                "md_file": gr.update(value=None, interactive=False),
                "json_file": gr.update(value=None, interactive=False),
            }
        md, js = self.exports.write(session, turns, self.index_status())
        return {
            "md_file": gr.update(value=str(md), interactive=True),
            "json_file": gr.update(value=str(js), interactive=True),
        }

    def respond(
        self,
        message: str,
        turns: list[ChatTurn],
        k: int,
        mode: str,
        backend: str,
        show_scores: bool,
        session: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[PageUpdate]:
        """Ask `message`: the pending turn first, then the answer as it is written, then the recorded turn."""
        try:
            question = clean_question(message, self.assistant.settings.max_question_chars)
        except QuestionRejected as exc:
            gr.Warning(str(exc))
            yield PageUpdate()
            return
        session = session or (request.session_hash if request else None) or "anonymous"
        history, shown_before = _history(turns), _chat_of(turns)
        yield PageUpdate(
            textbox="",
            chatbot=shown_before + _pair(question, "…"),
            sources=message_panel("Searching the sources…"),
            session=session,
        )
        answer: Answer | None = None
        written = ""
        try:
            for item in self.stream(question, history, k, mode, backend):
                if isinstance(item, Answer):
                    answer = item
                    break
                written += item  # an LLM's tokens, shown as they come; the guard's verdict replaces them
                yield PageUpdate(chatbot=shown_before + _pair(question, written))
        except Exception as exc:  # noqa: BLE001 - shown to the user; the page must stay usable
            log.exception("answering failed")
            gr.Warning(f"Could not answer: {_text(exc)}")
            yield PageUpdate(
                textbox=message,
                chatbot=shown_before,
                sources=message_panel(f"Could not answer: {exc}"),
                session=session,
            )
            return
        assert answer is not None
        for step in [] if written else stream_steps(answer.text)[:-1]:
            yield PageUpdate(chatbot=shown_before + _pair(question, step))
            time.sleep(STREAM_PAUSE_S)
        turns = [*turns, ChatTurn(question, answer, history, self._turn_settings(k, mode, backend))]
        panel = sources_panel(answer, len(turns), len(turns), show_scores)
        yield PageUpdate(
            chatbot=shown_before + _pair(question, answer.text),
            turns=turns,
            selected=len(turns) - 1,
            sources=panel,
            session=session,
            **self._downloads(session, turns),
        )

    def retry_last(
        self,
        turns: list[ChatTurn],
        k: int,
        mode: str,
        backend: str,
        show_scores: bool,
        session: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[PageUpdate]:
        """Ask the last question again (with the current settings)."""
        if not turns:
            gr.Info("Nothing to retry yet.")
            yield PageUpdate()
            return
        yield from self.respond(turns[-1].question, turns[:-1], k, mode, backend, show_scores, session, request)

    def retry_at(
        self,
        evt: gr.RetryData,
        chat: list[dict],
        turns: list[ChatTurn],
        k: int,
        mode: str,
        backend: str,
        show_scores: bool,
        session: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[PageUpdate]:
        """The chatbot's own retry icon: re-ask the question at that message, dropping what followed."""
        i = turn_index(chat, _message_index(evt.index))
        if i >= len(turns):
            yield PageUpdate()
            return
        yield from self.respond(turns[i].question, turns[:i], k, mode, backend, show_scores, session, request)

    def ask_example(
        self,
        evt: gr.SelectData,
        turns: list[ChatTurn],
        k: int,
        mode: str,
        backend: str,
        show_scores: bool,
        session: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[PageUpdate]:
        """Clicking an example question asks it straight away."""
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        yield from self.respond(str(value.get("text") or ""), turns, k, mode, backend, show_scores, session, request)

    # -- undo / clear / select ----------------------------------------------------------------------
    def _truncate(
        self, question: str, turns: list[ChatTurn], keep: int, show_scores: bool, session: str | None
    ) -> PageUpdate:
        """Keep the first `keep` turns and put `question` back in the box."""
        kept = turns[:keep]
        panel = sources_panel(kept[-1].answer, len(kept), len(kept), show_scores) if kept else EMPTY_PANEL
        return PageUpdate(
            textbox=question,
            chatbot=_chat_of(kept),
            turns=kept,
            selected=len(kept) - 1 if kept else None,
            sources=panel,
            **self._downloads(session or "anonymous", kept),
        )

    def undo_last(self, turns: list[ChatTurn], show_scores: bool, session: str | None) -> PageUpdate:
        """Remove the last turn and put its question back in the box, to edit and ask again."""
        if not turns:
            return PageUpdate()
        return self._truncate(turns[-1].question, turns, len(turns) - 1, show_scores, session)

    def undo_at(
        self, evt: gr.UndoData, chat: list[dict], turns: list[ChatTurn], show_scores: bool, session: str | None
    ) -> PageUpdate:
        i = turn_index(chat, _message_index(evt.index))
        if i >= len(turns):
            return PageUpdate()
        return self._truncate(turns[i].question, turns, i, show_scores, session)

    def clear(self, session: str | None) -> PageUpdate:
        """An empty conversation: no turns, no sources, no downloads, no ratings."""
        if session:
            self.exports.forget(session)
        return PageUpdate(
            textbox="",
            chatbot=[],
            turns=[],
            selected=None,
            sources=EMPTY_PANEL,
            ratings={},
            feedback_line=FEEDBACK_HINT,
            **self._downloads(session or "anonymous", []),
        )

    def select(self, evt: gr.SelectData, chat: list[dict], turns: list[ChatTurn], show_scores: bool) -> PageUpdate:
        """Clicking a message shows the sources of that turn's answer."""
        i = turn_index(chat, _message_index(evt.index))
        if i >= len(turns):
            return PageUpdate()
        return PageUpdate(selected=i, sources=sources_panel(turns[i].answer, i + 1, len(turns), show_scores))

    def rerender(self, turns: list[ChatTurn], selected: int | None, show_scores: bool) -> str:
        if selected is None or selected >= len(turns):
            return EMPTY_PANEL
        return sources_panel(turns[selected].answer, selected + 1, len(turns), show_scores)

    # -- feedback -----------------------------------------------------------------------------------
    def rate(
        self, evt: gr.LikeData, chat: list[dict], turns: list[ChatTurn], ratings: dict[str, int], comment: str
    ) -> PageUpdate:
        """Thumbs up / down on an answer; clicking the same thumb again withdraws the rating.

        Ratings are keyed by turn id, so after an undo or retry a new answer in the same place gets
        its own row. Sets ratings (turn id -> feedback row), last_rated (turn id), the feedback line,
        and empties the comment box once the comment is saved with the rating.
        """
        i = turn_index(chat, _message_index(evt.index))
        if i >= len(turns):
            return PageUpdate(
                ratings=ratings,
                last_rated=None,
                feedback_line="That answer is still being written; rate it when it is done.",
            )
        turn, ratings = turns[i], dict(ratings)
        row_id = ratings.get(turn.id)
        if evt.liked in ("", None):
            if row_id is not None:
                self.feedback.delete(ratings.pop(turn.id))
            return PageUpdate(ratings=ratings, last_rated=None, feedback_line=f"Rating of answer {i + 1} withdrawn.")
        rating = 1 if evt.liked is True or str(evt.liked).lower() == "like" else -1
        note = (comment or "").strip() or None
        if row_id is None:
            ratings[turn.id] = self.feedback.add(
                turn.question, turn.answer, rating, history=turn.history, settings=turn.settings, comment=note
            )
        else:
            self.feedback.set_rating(row_id, rating)
            if note:
                self.feedback.set_comment(row_id, note)
        thumb = "thumbs-up" if rating > 0 else "thumbs-down"
        saved = " with your comment" if note else "; add a comment below if you like"
        return PageUpdate(
            ratings=ratings,
            last_rated=turn.id,
            feedback_line=f"Saved your {thumb} for answer {i + 1}{saved}.",
            comment="" if note else KEEP,
        )

    def save_comment(self, comment: str, ratings: dict[str, int], last_rated: str | None) -> PageUpdate:
        """Attach the comment to the rating just given (a comment typed before rating goes with the click)."""
        if last_rated is None or last_rated not in ratings:
            gr.Info("Rate an answer with a thumb first; the comment is attached to that rating.")
            return PageUpdate()
        if not (comment or "").strip():
            return PageUpdate(feedback_line="Type a comment first.")
        self.feedback.set_comment(ratings[last_rated], comment)
        return PageUpdate(feedback_line="Comment saved with your rating.", comment="")

    # -- uploads & API ------------------------------------------------------------------------------
    def upload(self, path: str | None, progress: Any = gr.Progress()) -> PageUpdate:
        """Index an uploaded file: sets the upload message, the header's index line, and clears the file box.
        Gradio fills `progress`, so the user sees the build's stages (chunks embedded of total) while it is indexed."""
        if not path:
            return PageUpdate()

        def hook(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=f"Indexing: {stage}", unit=STAGES.get(stage, "steps"))

        try:
            message = add_document(self.assistant, path, Path(path).name, self.ui.upload_max_bytes, progress=hook)
        except UploadRejected as exc:
            return PageUpdate(upload_msg=f"❌ {esc(exc)}", upload=None)
        return PageUpdate(upload_msg=f"✅ {esc(message)}", header=self.header_html(), upload=None)

    def chat_api(self, question: str, history: list[dict] | None = None) -> dict:
        """Answer one question (history: earlier messages as [{"role", "content"}]); returns the
        answer as JSON (`Answer.to_dict`, see "Answer JSON" in the README)."""
        try:
            answer = self.assistant.ask(question, plain_history(history))
        except QuestionRejected as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception as exc:  # noqa: BLE001 - a clear message instead of a trace on the client
            log.exception("answering failed")
            raise gr.Error(f"Could not answer: {_text(exc)}", print_exception=False) from None
        return answer.to_dict()


# -- layout -----------------------------------------------------------------------------------------


def build_app(
    assistant: Assistant, ui_settings: UISettings | None = None, backends: dict[str, Assistant] | None = None
) -> gr.Blocks:
    """The chat page for `assistant`. `backends` maps answer-backend names to assistants; the
    backend menu appears only when there is more than one."""
    ui = ui_settings or UISettings()
    if ui.uploads and uploads_dir(assistant.settings) not in [Path(d) for d in assistant.settings.corpus_dirs]:
        raise ValueError(
            "uploads are on but the assistant's corpus lacks the uploads folder: "
            "create it with Assistant(ui.uploads.with_uploads(settings))"
        )
    backends = backends or {assistant.settings.llm: assistant}
    page = ChatPage(assistant, ui, backends)
    s = assistant.settings
    private: dict[str, Any] = {"api_visibility": "private"}

    with gr.Blocks(title=f"{TITLE} · cited answers", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        header = gr.HTML(page.header_html(), head=f"<style>{CSS}</style>", elem_id="pn-header")
        turns = gr.State([])
        selected = gr.State(None)
        ratings = gr.State({})
        last_rated = gr.State(None)
        session = gr.State(None, delete_callback=lambda value: page.exports.forget(value) if value else None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    elem_id="pn-chat",
                    height=540,
                    render_markdown=False,
                    buttons=["copy", "copy_all"],
                    feedback_options=("Like", "Dislike"),
                    examples=[{"text": q} for q in EXAMPLES],
                    layout="bubble",
                    placeholder="**Ask about Lee Jae-myung's North Korea policy** — or start with an example:",
                )
                with gr.Row(equal_height=True):
                    textbox = gr.Textbox(
                        placeholder="Ask a question… (Enter to send)",
                        show_label=False,
                        scale=8,
                        max_lines=6,
                        elem_id="pn-question",
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="pn-ask")
                with gr.Row(elem_id="pn-actions"):
                    small: dict[str, Any] = {"size": "sm", "min_width": 80}
                    retry_btn = gr.Button("↻ Retry", **small)
                    undo_btn = gr.Button("↶ Undo", **small)
                    clear_btn = gr.Button("✕ Clear", **small)
                    md_file = gr.DownloadButton("⤓ Markdown", interactive=False, **small)
                    json_file = gr.DownloadButton("⤓ JSON", interactive=False, **small)
                with gr.Accordion("Settings", open=False):
                    k = gr.Slider(1, 20, value=s.top_k, step=1, label="Passages to read per answer")
                    mode = gr.Radio(
                        list(RETRIEVAL_MODES),
                        value=s.retriever,
                        label="Retrieval mode",
                        info="hybrid = meaning + keywords; dense = meaning only; bm25 = keywords only",
                    )
                    show_scores = gr.Checkbox(False, label="Show retrieval scores in the sources panel")
                    default_backend = s.llm if s.llm in backends else next(iter(backends))
                    backend = (
                        gr.Dropdown(list(backends), value=default_backend, label="Answer backend")
                        if len(backends) > 1
                        else gr.State(default_backend)
                    )
                if ui.uploads:
                    with gr.Accordion("Add a document to the corpus", open=False):
                        upload = gr.File(
                            label=f"{', '.join(ALLOWED_SUFFIXES)} · up to {ui.upload_max_bytes / 1e6:.0f} MB",
                            file_types=list(ALLOWED_SUFFIXES),
                            type="filepath",
                            elem_id="pn-upload",
                            height=140,
                        )
                        upload_msg = gr.Markdown()
            with gr.Column(scale=2, min_width=320):
                sources = gr.HTML(
                    EMPTY_PANEL,
                    elem_id="pn-sources-panel",
                    label="Sources",
                    show_label=False,
                    padding=True,
                    container=True,
                )
                with gr.Accordion("Documents in the index", open=False, elem_id="pn-documents-box"):
                    documents = gr.HTML(page.documents_html(), elem_id="pn-documents")
                with gr.Group():
                    feedback_line = gr.Markdown(FEEDBACK_HINT, elem_id="pn-feedback-status", padding=True)
                    comment = gr.Textbox(
                        label="Comment on your rating (optional)", lines=2, max_lines=6, elem_id="pn-comment"
                    )
                    comment_btn = gr.Button("Save comment", size="sm")

        # PageUpdate field name -> component: handlers name what they change; the output lists below only
        # say which components an event may touch (their order does not matter).
        named = {
            "textbox": textbox,
            "chatbot": chatbot,
            "turns": turns,
            "selected": selected,
            "sources": sources,
            "md_file": md_file,
            "json_file": json_file,
            "session": session,
            "ratings": ratings,
            "last_rated": last_rated,
            "feedback_line": feedback_line,
            "comment": comment,
            "header": header,
        }
        if ui.uploads:
            named.update(upload_msg=upload_msg, upload=upload)
            upload.upload(by_name(page.upload, named), upload, [upload_msg, header, upload], **private).then(
                page.documents_html, None, documents, **private
            )
        settings_in = [k, mode, backend, show_scores, session]
        chat_out = [textbox, chatbot, turns, selected, sources, md_file, json_file, session]
        stream: dict[str, Any] = {"show_progress": "minimal", **private}
        for trigger in (textbox.submit, send.click):
            trigger(by_name(page.respond, named), [textbox, turns, *settings_in], chat_out, **stream)
        chatbot.example_select(by_name(page.ask_example, named), [turns, *settings_in], chat_out, **stream)
        retry_btn.click(by_name(page.retry_last, named), [turns, *settings_in], chat_out, **stream)
        chatbot.retry(by_name(page.retry_at, named), [chatbot, turns, *settings_in], chat_out, **stream)
        undo_out = [textbox, chatbot, turns, selected, sources, md_file, json_file]
        undo_btn.click(by_name(page.undo_last, named), [turns, show_scores, session], undo_out, **private)
        chatbot.undo(by_name(page.undo_at, named), [chatbot, turns, show_scores, session], undo_out, **private)
        clear_out = [textbox, chatbot, turns, selected, sources, md_file, json_file, ratings, feedback_line]
        clear_btn.click(by_name(page.clear, named), session, clear_out, **private)
        chatbot.clear(by_name(page.clear, named), session, clear_out, **private)
        chatbot.select(by_name(page.select, named), [chatbot, turns, show_scores], [selected, sources], **private)
        show_scores.change(page.rerender, [turns, selected, show_scores], sources, **private)
        chatbot.like(
            by_name(page.rate, named),
            [chatbot, turns, ratings, comment],
            [ratings, last_rated, feedback_line, comment],
            **private,
        )
        comment_btn.click(
            by_name(page.save_comment, named), [comment, ratings, last_rated], [feedback_line, comment], **private
        )
        demo.load(page.header_html, None, header, **private)
        demo.load(page.documents_html, None, documents, **private)
        gr.api(page.chat_api, api_name="chat")
    return demo.queue(default_concurrency_limit=ui.concurrency)


def serve(settings: Settings) -> None:
    """`python -m assistant serve`: build the index if there is none, then serve the chat on
    settings.host:settings.port (127.0.0.1:7860 unless configured), analytics off."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    ui = UISettings()
    if ui.uploads:
        settings = with_uploads(settings)
    assistant = Assistant(settings)
    if assistant.ensure_index() is not None:
        log.info("built the index on first start")
    backends = {settings.llm: assistant}
    if settings.llm != "extractive":  # with an LLM configured, the offline answerer stays one click away
        backends["extractive"] = Assistant(settings.with_overrides(llm="extractive"))
    app = build_app(assistant, ui, backends)
    app.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=ui.auth_pair(),
        auth_message="Peninsula: please sign in." if ui.auth else None,
        footer_links=["api"],
        max_file_size=ui.upload_max_bytes if ui.uploads else None,
    )
