"""Fixtures for the dashboard tests: a real headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright for Python; Playwright's own browser downloads are never used), a
page per test at 1280 px, signing in through the form, and where screenshots go.

Without chromium or playwright the browser tests are skipped with the reason, except
under CI=true, where they fail: CI must run them (.ci/run installs chromium)."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _unavailable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return (f"Debian's chromium is not installed ({CHROMIUM} is missing; "
                "`apt-get install -y chromium`, as .ci/run does)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-test.txt)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport=DESKTOP) -> a page in a fresh browser context (own cookies)."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or DESKTOP)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def region(page, name: str):
    """A named region (a <section> with a heading); its table is "<name> table"."""
    return page.get_by_role("region", name=name, exact=True)


def sign_in(page, base: str, key: str) -> None:
    """Sign in through the login form, as a person would."""
    from playwright.sync_api import expect
    page.goto(base + "/dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard/login"))
    page.get_by_label("Platform secret key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Iterator[Path]:
    """Where the tests save screenshots of the main pages: DASHBOARD_SCREENSHOTS if set
    (the README's pictures: DASHBOARD_SCREENSHOTS=docs/screenshots), else a temporary
    directory kept as the run's artifact."""
    target = os.environ.get("DASHBOARD_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    yield path
