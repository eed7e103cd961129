"""The web app in a real browser (Debian's Chromium driven by Playwright).

Skipped, with the reason, when Playwright or a Chromium binary is missing; ``make test``
installs both. Screenshots of the main pages go to ``$TRACELIGHT_TEST_OUTPUT`` (default:
the test's temporary folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
playwright_api = pytest.importorskip("playwright.sync_api")

import uvicorn  # noqa: E402 - after the skip: needs the web extras

from tracelight.web import create_app  # noqa: E402
from web_fixtures import PASSWORD, WebWorld, build_world  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    configured = os.environ.get("TRACELIGHT_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebWorld]]:
    if _chromium() is None:
        pytest.skip("browser tests skipped: no Chromium binary (apt-get install chromium)")
    world = build_world(tmp_path_factory.mktemp("browser"))
    port = _free_port()
    config = uvicorn.Config(
        create_app(world.workspace, secret_key="browser-test"),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        if time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world
    runner.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: tuple[str, WebWorld], tmp_path: Path) -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        context = browser.new_context(base_url=server[0])
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.problems = []
        tab.on("dialog", lambda d: (tab.problems.append(f"dialog: {d.message}"), d.dismiss()))
        tab.on(
            "console",
            lambda m: (
                tab.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
        yield tab
        context.close()
        browser.close()


def _shots() -> Path | None:
    folder = os.environ.get("TRACELIGHT_TEST_OUTPUT")
    if not folder:
        return None
    path = Path(folder) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shot(page: Any, name: str, tmp_path: Path) -> None:
    folder = _shots() or tmp_path
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/triage")


def test_analyst_journey(page: Any, server: tuple[str, WebWorld], tmp_path: Path) -> None:
    """Log in, triage, open a network (graph drawn), open a post, add it to a case,
    search, save the search and run it again, log out; no script error and no CSP
    violation on the way."""
    _, world = server
    _sign_in(page, "north-analyst")
    _shot(page, "triage", tmp_path)
    network = world.networks["north"][0]
    page.click(f"a[href='/networks/{network}']")
    page.wait_for_selector("#graph[data-ready]")
    assert page.get_attribute("#graph", "data-ready") not in {None, "error", "0"}
    _shot(page, "network", tmp_path)

    page.click("a[href='/cases']")
    page.fill("input[name=title]", "Browser case")
    page.click("form.new-case button")
    page.wait_for_selector("text=Browser case")
    post = world.posts["north"][0]
    page.goto(f"/posts/{post}")
    page.wait_for_selector("mark.mention")
    _shot(page, "post", tmp_path)
    page.click("#add-to-case button")
    page.wait_for_selector(f"#case-items a[href='/posts/{post}']")
    _shot(page, "case", tmp_path)

    page.goto("/search?q=kisses")
    assert page.locator("ol.hits li").count() == 4
    _shot(page, "search", tmp_path)
    # Save it, then run it again from the alerts page's list of saved searches.
    page.fill("form.save-search input[name=name]", "kisses weekly")
    page.click("form.save-search button")
    page.wait_for_selector("#saved-searches a:text('kisses weekly')")
    _shot(page, "alerts", tmp_path)
    page.click("#saved-searches a:text('kisses weekly')")
    page.wait_for_selector("ol.hits li")
    assert page.locator("ol.hits li").count() == 4

    page.goto("/triage")
    page.click(f"form[action='/triage/{network}'] button[value=escalated]")
    page.wait_for_selector(f"#review-{network}.review-escalated")

    page.click("#logout")
    page.wait_for_url("**/login")
    page.goto("/triage")
    page.wait_for_url("**/login?next=/triage")
    assert page.problems == [], "\n".join(page.problems)


def test_hostile_post_runs_nothing(page: Any, server: tuple[str, WebWorld], tmp_path: Path) -> None:
    _, world = server
    _sign_in(page, "north-analyst")
    page.goto(f"/posts/{world.hostile}")
    page.wait_for_selector("#post-text")
    page.hover(".ad-title")
    page.wait_for_timeout(300)
    _shot(page, "hostile-post", tmp_path)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#post-text script, #post-text img, #post-text svg").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator("#post-text .ctl").count() >= 2
    body = page.inner_text(".ad-body")
    assert "<script>window.__pwned=1;alert(1)</script>" in body  # shown, as text
    page.goto("/search?q=evil")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # The selector page lists the hostile post (title, place) beside the others.
    page.goto(f"/posts/{world.hostile}")
    page.click("a.selector[href^='/selectors/phone/']")
    page.wait_for_selector(f"#selector-posts a[href='/posts/{world.hostile}']")
    _shot(page, "selector", tmp_path)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert (
        page.locator("#selector-posts script, #selector-posts img, #selector-posts b").count() == 0
    )
    assert page.problems == [], "\n".join(page.problems)
