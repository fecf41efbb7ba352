"""The real browser the HTML views are tested in: Debian's headless Chromium, driven by
Playwright for Python (which never downloads a browser of its own here).

`make browser` (tests/setup/browser.sh) installs it. CITYDIPLO_SKIP_BROWSER=1 skips the
browser tests with that reason; without the variable a missing Chromium is an error."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_ENV = "CITYDIPLO_SKIP_BROWSER"
ARTIFACTS = Path(__file__).parent / "artifacts"

# The flags that work on this machine (and in CI): no sandbox as root, no GPU, and none of
# Chromium's own background requests, so that a request seen is one the page made.
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


@dataclass
class OpenedPage:
    """A page opened from a file, with everything it did: console errors, requests other
    than the file itself, dialogs, uncaught exceptions."""

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def view(self, expression: str = "window.citydiploView") -> Any:
        return self.page.evaluate(expression)

    def wait_until(self, expression: str, timeout: float = 60.0) -> None:
        """Poll `expression` until it is true. Playwright's wait_for_function polls by
        evaluating a string inside the page, which the views' CSP (no 'unsafe-eval') refuses
        once the first check is false; `evaluate` runs through the debugger protocol."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"{expression} was still false after {timeout:.0f} s")
            time.sleep(0.05)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


class Browser:
    """Opens HTML files in fresh pages of one headless Chromium."""

    def __init__(self, context: Any) -> None:
        self.context = context

    def open(self, path: Path, *, width: int = 1400, height: int = 900) -> OpenedPage:
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        url = path.resolve().as_uri()
        opened = OpenedPage(page, url)
        page.on(
            "console",
            lambda message: opened.console_errors.append(message.text)
            if message.type == "error"
            else None,
        )
        page.on("pageerror", lambda error: opened.page_errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

        # Every request but the file itself is recorded and refused.
        def route(request_route: Any) -> None:
            if request_route.request.url == url:
                request_route.continue_()
            else:
                opened.requests.append(request_route.request.url)
                request_route.abort()

        page.route("**/*", route)
        page.on(
            "request",
            lambda request: opened.requests.append(request.url)
            if request.url != url and request.url not in opened.requests
            else None,
        )
        page.goto(url)
        opened.wait_until("Boolean(window.citydiploView && window.citydiploView.ready)")
        return opened


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: the browser tests are skipped")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser` (tests/setup/browser.sh) to install "
            f"Debian's chromium, or set {SKIP_ENV}=1 to skip the browser tests",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="citydiplo-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
            )
            try:
                yield Browser(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
