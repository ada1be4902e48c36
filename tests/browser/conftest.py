"""Browser tests: real headless Chromium driven from pytest through Playwright.

Playwright's wheel ships its own driver; the browser is the system's Chromium (``LAOWU_CHROMIUM``
or /usr/bin/chromium): ``playwright install`` is never run, it would download a browser. Without a
Chromium these tests are skipped with a notice, unless ``LAOWU_REQUIRE_BROWSER=1`` (CI), which
turns the absence into a failure. Screenshots of the main pages go to ./screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_PASSWORD

SKIP_NOTICE = (
    "browser tests skipped: no Chromium found at LAOWU_CHROMIUM or /usr/bin/chromium "
    "(enable them with: apt-get install chromium fonts-noto-cjk)"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(os.environ.get("LAOWU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "screenshots"))
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
_skipped: list[str] = []


def chromium_path() -> str | None:
    candidate = os.environ.get("LAOWU_CHROMIUM") or "/usr/bin/chromium"
    return candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None


def _browser_required() -> bool:
    return os.environ.get("LAOWU_REQUIRE_BROWSER", "") in ("1", "true", "yes")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_line(SKIP_NOTICE)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if _browser_required():
            pytest.fail("LAOWU_REQUIRE_BROWSER=1 but " + SKIP_NOTICE.replace("browser tests skipped: ", ""))
        _skipped.append(SKIP_NOTICE)
        pytest.skip(SKIP_NOTICE)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the lock file installs it
        pytest.fail(f"playwright is not installed ({exc}); run ./scripts/test to install requirements.lock")
    # Playwright's sync API keeps an asyncio loop in this thread; the tests' own database calls
    # (creating users) are plain synchronous code, so Django's async guard must stand aside.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    # launch() gives every run a fresh temporary --user-data-dir of its own (and refuses the flag).
    instance = manager.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    try:
        yield instance
    finally:
        instance.close()
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser: Any, viewport: dict[str, int], **options: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A desktop-sized page in a fresh browser context (no cookies from other tests)."""
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def other_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A second desktop page with cookies of its own: another user working at the same time."""
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone-sized page (390x844), as village officers use it."""
    yield from _new_page(browser, PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    """Save a full-page PNG screenshot into ./screenshots/ (gitignored)."""

    def save(page: Any, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def browser_login(live_server: Any) -> Callable[..., Any]:
    """Sign in through the login form like a person would; returns the page after the redirect."""

    def do(page: Any, username: str, password: str = TEST_PASSWORD) -> Any:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        return page

    return do
