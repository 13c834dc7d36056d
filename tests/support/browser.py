"""A real browser for the console's tests: Playwright for Python driving Debian's Chromium (`apt-get install
chromium`; no browser is downloaded). Where Chromium is absent the tests are skipped saying so, except under CI,
where they fail. Screenshots go to test-artifacts/console/ (kept, not committed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set: the browser tests must run")
    pytest.skip(reason)


@contextmanager
def browser() -> Iterator[object]:
    """A Playwright Browser on Debian's Chromium, in a fresh profile (Playwright makes a temporary user-data-dir
    for each launch); each context opened from it starts with no cookies."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def screenshot(page: object, name: str) -> Path:
    """Keep what the page shows now as test-artifacts/console/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
