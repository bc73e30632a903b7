"""The chat page in headless Chromium: ask, watch the answer stream in, check the sources panel,
rate the answer and find the rating in the feedback database. Leaves docs/screenshot.png."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.feedback import feedback_path
from tests.ports import free_port
from ui.app import build_app
from ui.settings import UISettings

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"
QUESTION = "Who did Lee call first after taking office?"
UNANSWERABLE = "How old is Lee Jae-myung?"  # the corpus never says (core test set: un-lee-age)
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def server(assistant):
    app = build_app(assistant, UISettings(auth=None, uploads=False))
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1360, "height": 920}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(server, wait_until="load")  # Gradio keeps a connection open: never wait for networkidle
    page.wait_for_selector("#pn-question textarea")
    yield page
    context.close()


def last_answer(page):
    return page.locator("#pn-chat .message.bot").last


def test_ask_read_sources_rate_and_screenshot(page, assistant):
    page.fill("#pn-question textarea", QUESTION)
    page.click("#pn-ask")
    # The answer streams in: the [1] mark arrives with the first claim, the sources panel when it is complete.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#pn-chat .message.bot')].some(m => m.innerText.includes('[1]'))"
    )
    page.wait_for_selector("#pn-sources-panel mark")
    answer = last_answer(page).inner_text()
    assert "Trump" in answer and "[1]" in answer

    panel = page.locator("#pn-sources-panel")
    assert "Answer 1 of 1" in panel.inner_text() and "grounding" in panel.inner_text()
    mark = panel.locator("mark").first.inner_text()
    assert "first foreign call" in mark and "Trump" in mark
    assert panel.locator(".pn-card-title").first.inner_text().startswith("[1]")

    page.locator("#pn-chat button[aria-label='Like']").last.click()
    page.wait_for_selector("#pn-feedback-status:has-text('Saved your thumbs-up for answer 1')")
    with sqlite3.connect(feedback_path(assistant.settings.data_dir)) as db:
        rating, answer_text, citations = db.execute(
            "SELECT rating, answer, citations FROM feedback WHERE question = ? ORDER BY id DESC LIMIT 1", (QUESTION,)
        ).fetchone()
    assert rating == 1 and "Trump" in answer_text and "first foreign call" in citations

    page.locator("#pn-question textarea").click()  # move focus off the button for a clean picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_examples_clear_abstention_and_selecting_an_answer(page):
    page.get_by_text("How many U.S. troops are stationed in South Korea?").click()  # an example question
    page.wait_for_selector("#pn-sources-panel mark")
    assert "28,500" in last_answer(page).inner_text()
    page.click("button:has-text('Clear')")
    page.wait_for_selector("#pn-sources-panel :text('Sources appear here')")
    assert page.locator("#pn-chat .message").count() == 0

    page.fill("#pn-question textarea", UNANSWERABLE)
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-sources-panel :text('Related (not an answer)')")
    assert page.locator("#pn-sources-panel mark").count() == 0
    page.fill("#pn-question textarea", QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-sources-panel :text('Answer 2 of 2')")
    page.wait_for_selector("#pn-sources-panel mark")
    # Clicking the first answer shows its related passages again, not the latest answer's evidence.
    page.locator("#pn-chat .message.bot").first.click()
    page.wait_for_selector("#pn-sources-panel :text('Answer 1 of 2')")
    assert "Related (not an answer)" in page.inner_text("#pn-sources-panel")
    assert page.locator("#pn-sources-panel mark").count() == 0


def test_documents_view_and_a_header_citation_in_the_sources_panel(page):
    page.click("#pn-documents-box button:has-text('Documents in the index')")
    page.wait_for_selector("#pn-documents table tr[data-doc]")
    rows = page.locator("#pn-documents tr[data-doc]")
    assert rows.count() >= 1
    seed = page.locator("#pn-documents tr[data-doc='motin_2025_lee_north_korea_diplomacy.txt']").inner_text()
    assert "2025-06" in seed and "standfirst" not in seed and "not stated" in seed  # publisher shown as missing
    page.fill("#pn-question textarea", "Who wrote the article?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-sources-panel .pn-header-card")
    assert "Dylan Motin" in last_answer(page).inner_text()
    card = page.locator("#pn-sources-panel .pn-header-card").first.inner_text()
    assert "DOCUMENT HEADER" in card.upper() and "Author: Dylan Motin" in card and "2025-06 (approximate)" in card
