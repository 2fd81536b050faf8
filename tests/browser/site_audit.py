"""Checks a built page in a real browser: what a reader with no network would see.

Used by test_site.py on every page of the book, and on small defective fixture pages to show that each
check catches what it is meant to catch.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parents[2]
HTML = REPO / "_build" / "html"
SCREENSHOTS = REPO / "_build" / "screenshots"

# Chromium's own background traffic would flood a closed network (see shared/TOOLCHAIN.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--disable-dev-shm-usage",
]

LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}

# Text that MathJax removes once it has typeset a formula; left over, the reader sees raw TeX.
RAW_TEX = ["\\(", "\\)", "\\[", "\\]", "$$", "\\begin{"]

# The page's text outside code, scripts and typeset math, where raw TeX must not survive.
_PROSE_TEXT_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight, .MathJax')
      .forEach(e => e.remove());
  return body.textContent;
}"""

_MATH_JS = """async () => {
  const nodes = Array.from(document.querySelectorAll('.math'));
  const ready = () => window.MathJax && MathJax.startup && MathJax.startup.promise;
  // MathJax loads deferred: on a busy machine it may not be there yet when the page says it has loaded
  for (let i = 0; nodes.length && !ready() && i < 300; i++) { await new Promise(r => setTimeout(r, 100)); }
  if (ready()) { await MathJax.startup.promise; }
  return {
    math: nodes.length,
    untypeset: nodes.filter(e => !e.querySelector('mjx-container') && e.tagName !== 'MJX-CONTAINER')
                    .map(e => e.textContent.trim().slice(0, 60)),
    errors: Array.from(document.querySelectorAll('mjx-merror'))
                 .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80)),
  };
}"""

_IMAGES_JS = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.filter(i => !(i.complete && i.naturalWidth > 0))
             .map(i => i.getAttribute('src') || '(no src)');
}"""

_WIDGETS_JS = """() => ({
  views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
  rendered: document.querySelectorAll('.jupyter-widgets').length,
})"""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on the PATH, if any."""
    for name in ("chromium", "google-chrome", "google-chrome-stable", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def toc_pages(toc: Path = REPO / "_toc.yml") -> list[str]:
    """Docnames of every page in `_toc.yml`, root first, in reading order."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    pages = [data["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                pages.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in data.items() if k != "root"})
    return [p.removesuffix(".md").removesuffix(".ipynb") for p in pages]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 with `python -m http.server`; yields the base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(directory),
         str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"http.server on port {port} did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def is_local(url: str) -> bool:
    """True for URLs served by the test server (or needing no network at all)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


def audit_page(
    page, url: str, screenshot: Path | None = None, widget_timeout_ms: int = 30_000
) -> list[str]:
    """Open `url` in a fresh playwright page and list every problem a reader with no network would hit.

    Checks: every request goes to 127.0.0.1 (others are aborted and reported), no request fails or gets
    an HTTP error, no console error or uncaught exception, no raw TeX left in the prose, every `.math`
    element typeset by MathJax without error, every `<img>` loaded, every embedded widget rendered.

    Args:
        page: a fresh playwright sync `Page` (the checks attach handlers to it).
        url: the page to open.
        screenshot: where to save a screenshot of the first screen, if given.
        widget_timeout_ms: how long embedded widgets may take to render.

    Returns:
        One line per problem; empty when the page is clean.
    """
    problems: list[str] = []
    external: set[str] = set()

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            external.add(r.request.url)
            r.abort()

    def on_failed(req) -> None:
        if req.url not in external:
            problems.append(f"request failed: {req.url} ({req.failure})")

    def on_response(resp) -> None:
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url}")

    def on_console(msg) -> None:
        if msg.type == "error":
            problems.append(f"console error: {msg.text}")

    page.route("**/*", route)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))

    page.goto(url, wait_until="networkidle")

    math = page.evaluate(_MATH_JS)
    for text in math["untypeset"]:
        problems.append(f"math not typeset by MathJax: {text!r}")
    for text in math["errors"]:
        problems.append(f"MathJax error: {text!r}")
    prose = page.evaluate(_PROSE_TEXT_JS)
    for tex in RAW_TEX:
        at = prose.find(tex)
        if at >= 0:
            problems.append(f"raw TeX {tex!r} in the text: ...{prose[max(0, at - 30):at + 40]!r}...")

    for src in page.evaluate(_IMAGES_JS):
        problems.append(f"image not loaded: {src}")

    widgets = page.evaluate(_WIDGETS_JS)
    if widgets["views"]:
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('.jupyter-widgets').length >= n",
                arg=widgets["views"], timeout=widget_timeout_ms)
        except Exception:  # playwright's TimeoutError: report, as for any other problem
            rendered = page.evaluate(_WIDGETS_JS)["rendered"]
            problems.append(f"widgets not rendered: {rendered} of {widgets['views']} views")

    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    page.wait_for_load_state("networkidle")
    problems.extend(f"request to an outside host: {u}" for u in sorted(external))
    return problems
