"""Fixtures of the browser test: Debian's chromium driven by playwright against the built book.

These tests run only when `tests/browser` (or a file in it) is named on the pytest command line, as
`make test` does after building the book, or when RNN_BROWSER_TESTS=1; in the suite's main run
(`pytest tests book exercises`) they are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_audit import CHROMIUM_ARGS, HTML, find_chromium, serve

HERE = Path(__file__).resolve().parent


def _named_on_command_line(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("RNN_BROWSER_TESTS") == "1" or _named_on_command_line(config):
        return
    skip = pytest.mark.skip(reason="browser test: run `make test`, or `pytest tests/browser` after `make book`")
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium that reaches nothing but 127.0.0.1."""
    executable = find_chromium()
    if executable is None:
        pytest.skip("no chromium on the PATH: run scripts/browser_setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page in a fresh context (no cache, no storage shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)  # generous: CI machines share two cores with other work
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def site() -> str:
    """Base URL of `_build/html` served on 127.0.0.1; skips when the book is not built."""
    if not (HTML / "index.html").is_file():
        pytest.skip("the book is not built (_build/html missing): run `make book` first")
    with serve(HTML) as url:
        yield url
