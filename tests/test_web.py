"""The web chat against the real assistant and a real Gradio server on a free loopback port:
the /chat API through gradio_client, auth, concurrency, the page's own handlers and uploads."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

from assistant.answer import Answer, Citation, Passage
from assistant.grounding import grounding
from assistant.service import Assistant
from assistant.settings import Settings
from tests.ports import free_port
from ui.answers import ChatTurn
from ui.app import ChatPage, build_app, stream_steps
from ui.render import sources_panel
from ui.settings import UISettings
from ui.updates import PageUpdate, by_name
from ui.uploads import UploadRejected, add_document, safe_name, save_upload, uploads_dir, with_uploads

FIRST = "Who did Lee call first after taking office?"
FOLLOW = "And who did he call after that?"


@contextmanager
def running(app, auth=None):
    """Launch `app` on a free loopback port for the duration of the block."""
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, auth=auth, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def server(assistant):
    with running(build_app(assistant, UISettings(auth=None, uploads=False, concurrency=4))) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    return Client(server, verbose=False)


def ask(client: Client, question: str, history: list | None = None) -> dict:
    return client.predict(question=question, history=history or [], api_name="/chat")


# -- /chat API ---------------------------------------------------------------------------------------


def test_chat_api_answers_with_citations(client):
    result = ask(client, FIRST)
    assert "Trump" in result["answer"] and "[1]" in result["answer"]
    assert not result["abstained"]
    first = result["citations"][0]
    assert first["n"] == 1 and first["title"] and first["chunk_id"] and first["doc_id"]
    assert "Trump" in first["quote"]
    assert {"retrieve", "answer", "total"} <= set(result["timings"])
    assert result["grounding"] == 1.0


def test_chat_api_follow_up_uses_history(client):
    first = ask(client, FIRST)
    history = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first["answer"]}]
    second = ask(client, FOLLOW, history)
    assert "Ishiba" in second["answer"] and second["citations"]


def test_chat_api_abstains_outside_the_corpus(client):
    result = ask(client, "What is the population of Seoul?")
    assert result["abstained"] is True, f"answered a question the corpus cannot answer: {result['answer'][:160]}"
    assert result["citations"] == [] and result["related"]


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Please type a question"), ("   ", "Please type a question"), ("x" * 3000, "limited to 2,000 characters")],
)
def test_chat_api_rejects_empty_and_long_questions_with_a_message(client, question, message):
    with pytest.raises(AppError, match=message) as info:
        ask(client, question)
    assert "Traceback" not in str(info.value)


def test_only_the_chat_endpoint_is_public(client):
    assert list(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == ["/chat"]


def test_auth_refuses_wrong_credentials(assistant):
    with running(build_app(assistant, UISettings(auth=None)), auth=("reader", "k0rea-peace")) as url:
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("reader", "wrong"), verbose=False)
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)  # no credentials: the config itself is refused
        result = Client(url, auth=("reader", "k0rea-peace"), verbose=False).predict(FIRST, [], api_name="/chat")
        assert "Trump" in result["answer"]


@pytest.mark.fast
def test_ui_settings_auth_format(monkeypatch):
    monkeypatch.setenv("ASSISTANT_UI_AUTH", "alice:pa:ss")
    assert UISettings().auth_pair() == ("alice", "pa:ss")
    monkeypatch.setenv("ASSISTANT_UI_AUTH", "no-colon")
    with pytest.raises(ValueError):
        UISettings()
    monkeypatch.delenv("ASSISTANT_UI_AUTH")
    assert UISettings().auth_pair() is None and UISettings().concurrency == 4 and not UISettings().uploads


def test_twenty_concurrent_conversations(server):
    """20 users, two turns each, at once: every answer arrives and none fails."""
    openers = [
        FIRST,
        "How did North Korea respond to Lee's gestures?",
        "What do Lee and Trump have in common?",
        "How many U.S. troops are stationed in South Korea?",
    ]
    errors: list[BaseException] = []
    answers: list[tuple[str, str]] = []
    lock = threading.Lock()

    def conversation(i: int) -> None:
        try:
            client = Client(server, verbose=False)
            q1 = openers[i % len(openers)]
            a1 = ask(client, q1)
            a2 = ask(
                client,
                FOLLOW if q1 == FIRST else "Why?",
                [{"role": "user", "content": q1}, {"role": "assistant", "content": a1["answer"]}],
            )
            with lock:
                answers.extend([(q1, a1["answer"]), (FOLLOW, a2["answer"])])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            with lock:
                errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=conversation, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started
    print(f"\n20 concurrent conversations x 2 turns: {elapsed:.1f} s")
    assert not errors, errors[:3]
    assert len(answers) == 40 and all(text for _, text in answers)
    assert elapsed < 90


# -- the page's handlers (what the browser triggers), called directly --------------------------------


def _finals(gen) -> list[PageUpdate]:
    return list(gen)


def test_respond_streams_then_records_the_turn(assistant):
    page = ChatPage(assistant, UISettings(), {"extractive": assistant})
    steps = _finals(page.respond(FIRST, [], 6, "hybrid", "extractive", False, "test-session"))
    chats = [s.chatbot for s in steps if isinstance(s.chatbot, list)]
    assert len(chats) >= 3  # pending, at least one partial, final
    final = steps[-1]
    chat, turns, selected, panel = final.chatbot, final.turns, final.selected, final.sources
    assert chat[-1]["role"] == "assistant" and chat[-1]["content"] == turns[0].answer.text
    assert len(turns) == 1 and selected == 0 and final.session == "test-session"
    assert "<mark>" in panel and "quotes found in the sources" in panel and "confidence" in panel
    md, js = final.md_file["value"], final.json_file["value"]
    assert FIRST in Path(md).read_text() and '"citations"' in Path(js).read_text()
    assert steps[0].textbox == "" and set(steps[1].changed()) == {"chatbot"}  # partial steps touch only the chat
    # A follow-up sees the earlier turn.
    steps = _finals(page.respond(FOLLOW, turns, 6, "hybrid", "extractive", False, "test-session"))
    assert "Ishiba" in steps[-1].turns[-1].answer.text


def test_respond_ignores_empty_question(assistant):
    page = ChatPage(assistant, UISettings(), {"extractive": assistant})
    with pytest.warns(UserWarning, match="Please type a question"):  # a toast in the browser
        steps = _finals(page.respond("   ", [], 6, "hybrid", "extractive", False, None))
    assert steps == [PageUpdate()] and steps[0].changed() == {}


@pytest.mark.fast
def test_stream_steps_end_at_the_full_answer():
    text = "Lee called Trump first. [1] Then he called Ishiba and Xi Jinping in that order, as reported. [2]"
    steps = stream_steps(text)
    assert steps[-1] == text and len(steps) > 2
    assert all(text.startswith(s) for s in steps)
    assert "Lee called Trump first. [1]" in steps


def _passage(**kw) -> Passage:
    base = dict(
        chunk_id="c1",
        doc_id="d.txt",
        text="Intro. The <b>key</b> sentence & more. Outro.",
        start=100,
        end=145,
        title="<script>alert(1)</script>Title",
        publisher="Desk",
        date="2025-06",
        license="CC BY",
        url="javascript:alert(1)",
    )
    return Passage(**{**base, **kw})


@pytest.mark.fast
def test_sources_panel_escapes_and_highlights():
    p = _passage()
    quote = "The <b>key</b> sentence & more."
    answer = Answer(
        question="q",
        text=f"{quote} [1]",
        citations=[Citation(n=1, passage=p, quote=quote, quote_start=107, quote_end=107 + len(quote), score=0.9)],
    )
    html = sources_panel(answer, 1, 1, show_scores=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>The &lt;b&gt;key&lt;/b&gt; sentence &amp; more.</mark>" in html
    assert "javascript:" not in html  # only http(s) links
    assert "support 0.90" in html
    assert grounding(answer).score == 1.0


@pytest.mark.fast
def test_abstention_panel_shows_related_not_as_evidence():
    answer = Answer(question="q", text="The sources I have do not say.", abstained=True, related=[_passage()])
    html = sources_panel(answer, 1, 1)
    assert "Related (not an answer)" in html and "<mark>" not in html
    assert grounding(answer).score is None


@pytest.mark.fast
def test_grounding_counts_sentences_whose_quote_is_not_in_the_passage():
    p = _passage()
    good = Citation(n=1, passage=p, quote="The <b>key</b> sentence & more.", quote_start=107, quote_end=138, score=1)
    bad = Citation(
        n=2,
        passage=p.model_copy(update={"chunk_id": "c2"}),
        quote="A sentence that is elsewhere.",
        quote_start=0,
        quote_end=5,
        score=1,
    )
    answer = Answer(question="q", text="Key sentence. [1] Invented claim. [2] Uncited tail.", citations=[good, bad])
    g = grounding(answer)
    assert (g.grounded, g.total) == (1, 3)


def test_chat_shows_markup_as_text(assistant):
    page = ChatPage(assistant, UISettings(), {"extractive": assistant})
    steps = _finals(
        page.respond(
            "<img src=x onerror=alert(1)> What is the population of Seoul?", [], 6, "hybrid", "extractive", False, "s"
        )
    )
    chat, turns = steps[-1].chatbot, steps[-1].turns
    assert "<img" not in chat[0]["content"] and "&lt;img" in chat[0]["content"]
    assert turns[0].question.startswith("<img")  # the assistant got the text as typed


# -- uploads -----------------------------------------------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.txt",
        "..\\..\\boot.ini.txt",
        "notes..txt",
        "a/../../b.md",
        ".hidden.txt",
        "script.exe",
        "page.htm",
        "archive.tar.gz",
        "noext",
        "",
        "évil/..",
    ],
)
def test_upload_names_rejected(name):
    with pytest.raises(UploadRejected):
        safe_name(name)


@pytest.mark.fast
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.txt", "report.txt"),
        ("C:\\Users\\me\\My Notes.MD", "My_Notes.md"),
        ("/tmp/x/page.html", "page.html"),
        ("weird<>|name.pdf", "weird_name.pdf"),
    ],
)
def test_upload_names_sanitised(name, expected):
    assert safe_name(name) == expected


@pytest.mark.fast
def test_save_upload_checks_size_and_content(tmp_path):
    folder = tmp_path / "uploads"
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 2000)
    with pytest.raises(UploadRejected, match="limit"):
        save_upload(src, "big.txt", folder, max_bytes=1000)
    with pytest.raises(UploadRejected, match="not a PDF"):
        save_upload(src, "fake.pdf", folder, max_bytes=10_000)
    src.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(UploadRejected):
        save_upload(src, "binary.txt", folder, max_bytes=10_000)
    src.write_text("Plain text.\n")
    saved = save_upload(src, "escape.txt", folder, max_bytes=10_000)
    assert saved == (folder / "escape.txt").resolve() and saved.read_text() == "Plain text.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["escape.txt"]


def test_upload_is_indexed_and_answerable(tmp_path, small_corpus):
    settings = with_uploads(Settings(data_dir=tmp_path / "data", corpus_dirs=[small_corpus]))
    assistant = Assistant(settings)
    assistant.build_index()
    src = tmp_path / "incoming.txt"
    src.write_text(
        "Title: Delta observatory\nPublisher: Coast Weekly\nDate: 2031-04-02\n-----\n"
        "The delta observatory opened in Gangneung on a windy Tuesday morning. "
        "Its telescope was built by a team of forty engineers from Daejeon.\n"
    )
    with pytest.raises(UploadRejected):
        add_document(assistant, src, "../delta.txt", 5_000_000)
    message = add_document(assistant, src, "delta observatory.txt", 5_000_000)
    assert "delta_observatory.txt" in message and (uploads_dir(settings) / "delta_observatory.txt").is_file()
    answer = assistant.ask("Where did the delta observatory open?")
    assert not answer.abstained and "Gangneung" in answer.text
    assert answer.citations[0].passage.doc_id == "delta_observatory.txt"
    # Through the page's handler, as the browser would call it.
    page = ChatPage(assistant, UISettings(uploads=True), {"extractive": assistant})
    src.write_text("Second file. The epsilon pier was rebuilt in Sokcho after the storm of 2030.\n")
    shown: list[tuple] = []  # what Gradio's progress tracker would be told while the upload is indexed
    done = page.upload(str(src), progress=lambda value, desc, unit: shown.append((value, desc, unit)))
    assert done.upload_msg.startswith("✅") and "documents" in done.header and done.upload is None
    embedded = [value for value, desc, unit in shown if desc == "Indexing: embedding" and unit == "chunks"]
    assert embedded and embedded[-1][0] == embedded[-1][1] > 0  # ends with every new chunk embedded
    bad = tmp_path / "x.exe"
    bad.write_text("nope")
    refused = page.upload(str(bad))
    assert refused.upload_msg.startswith("❌") and "header" not in refused.changed()


def test_build_app_refuses_uploads_outside_the_corpus(assistant):
    with pytest.raises(ValueError, match="uploads"):
        build_app(assistant, UISettings(uploads=True))


def test_upload_widget_present_only_when_enabled(tmp_path, small_corpus):
    settings = with_uploads(Settings(data_dir=tmp_path / "data", corpus_dirs=[small_corpus]))
    on = build_app(Assistant(settings), UISettings(uploads=True)).get_config_file()
    assert any(c.get("props", {}).get("elem_id") == "pn-upload" for c in on["components"])
    off = build_app(Assistant(settings), UISettings(uploads=False)).get_config_file()
    assert not any(c.get("props", {}).get("elem_id") == "pn-upload" for c in off["components"])


def test_turn_record_round_trips_through_the_page(assistant):
    """Undo removes the last turn and hands its question back; clear empties everything."""
    page = ChatPage(assistant, UISettings(), {"extractive": assistant})
    turns = _finals(page.respond(FIRST, [], 6, "hybrid", "extractive", False, "u"))[-1].turns
    assert isinstance(turns[0], ChatTurn)
    undone = page.undo_last(turns, False, "u")
    assert undone.textbox == FIRST and undone.chatbot == [] and undone.turns == [] and undone.selected is None
    cleared = page.clear("u")
    assert (
        cleared.chatbot == []
        and cleared.turns == []
        and cleared.ratings == {}
        and cleared.md_file["interactive"] is False
    )


def test_backend_menu_only_with_several_backends(assistant):
    def labels(app) -> list[str]:
        return [c.get("props", {}).get("label") for c in app.get_config_file()["components"]]

    assert "Answer backend" not in labels(build_app(assistant, UISettings()))
    assert "Answer backend" in labels(
        build_app(assistant, UISettings(), backends={"extractive": assistant, "other": assistant})
    )


def test_rating_handler_updates_withdraws_and_follows_the_turn(assistant, tmp_path):
    import gradio as gr

    from assistant.feedback import FeedbackStore

    page = ChatPage(assistant, UISettings(), {"extractive": assistant})
    page.feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    final = _finals(page.respond(FIRST, [], 6, "hybrid", "extractive", False, "r"))[-1]
    chat, turns = final.chatbot, final.turns

    def like(liked, comment=""):
        return page.rate(
            gr.LikeData(None, {"index": 1, "value": chat[1]["content"], "liked": liked}), chat, turns, ratings, comment
        )

    ratings: dict = {}
    rated = like(True)
    ratings = rated.ratings
    assert "thumbs-up for answer 1" in rated.feedback_line and [r.rating for r in page.feedback.rows()] == [1]
    assert "comment" not in rated.changed()  # no comment given: the box is left as it is
    rated = like(False, "  the second sentence is off-topic ")
    ratings = rated.ratings
    rows = page.feedback.rows()
    assert [(r.rating, r.comment) for r in rows] == [(-1, "the second sentence is off-topic")] and rated.comment == ""
    assert page.save_comment("more detail", ratings, rated.last_rated).feedback_line.startswith("Comment saved")
    assert page.feedback.rows()[0].comment == "more detail"
    withdrawn = like("")
    ratings = withdrawn.ratings
    assert "withdrawn" in withdrawn.feedback_line and page.feedback.rows() == [] and ratings == {}
    # A new answer in the same place (after undo + ask) gets its own row.
    ratings = like(True).ratings
    retried = _finals(page.retry_last(turns, 6, "hybrid", "extractive", False, "r"))[-1]
    chat, turns = retried.chatbot, retried.turns
    ratings = like(True).ratings
    assert len(page.feedback.rows()) == 2 and len(ratings) == 2


def test_handlers_reach_gradio_by_component_name(assistant):
    """by_name maps each named field to its component (order-free), sends nothing for an empty update,
    and keeps what Gradio reads off a handler: generator-ness and the annotated event-data argument."""
    import inspect

    import gradio as gr
    from gradio.utils import get_type_hints

    page = ChatPage(assistant, UISettings(), {"extractive": assistant})
    textbox, chatbot, selected, sources = gr.Textbox(), gr.Chatbot(), gr.State(), gr.HTML()
    named = {"textbox": textbox, "chatbot": chatbot, "selected": selected, "sources": sources}
    assert by_name(lambda: PageUpdate(sources="<p>", textbox=""), named)() == {sources: "<p>", textbox: ""}
    assert by_name(lambda: PageUpdate(), named)() == gr.skip()
    with pytest.raises(KeyError, match="turns"):  # a field with no component on the page fails loudly
        by_name(lambda: PageUpdate(turns=[]), named)()
    respond = by_name(page.respond, named)
    assert inspect.isgeneratorfunction(respond) and list(inspect.signature(respond).parameters)[0] == "message"
    select = by_name(page.select, named)
    assert get_type_hints(select)["evt"] is gr.SelectData and not inspect.isgeneratorfunction(select)
