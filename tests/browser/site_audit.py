"""Checks a built page in a real browser: what a reader with no network would see.

Used by test_site.py on every page of the book, and on small defective fixture pages to show that each
check catches what it is meant to catch.
"""

from __future__ import annotations

import os
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
# the built book (RNN_BOOK_HTML points elsewhere, e.g. a build made with --path-output)
HTML = Path(os.environ.get("RNN_BOOK_HTML", REPO / "_build" / "html")).resolve()
SCREENSHOTS = HTML.parent / "screenshots"

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
  // (wait only if the page loads it at all)
  const loads = Array.from(document.scripts).some(s => /mathjax|tex-(chtml|svg|mml)/i.test(s.src));
  for (let i = 0; loads && nodes.length && !ready() && i < 300; i++) { await new Promise(r => setTimeout(r, 100)); }
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

# What a reader sees of the page's layout (issue 15): a Markdown table left as a paragraph of pipes, links
# to placeholder hosts, figures shrunk until their text is below MIN_CSS_PX, and blocks wider than the column.
MIN_CSS_PX = 9.0
HOUSE_MIN_FONT_PT = 9.0  # course/viz/style.py MIN_FONT: assumed for a figure whose PNG does not say
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "your-hub", "your.hub", "localhost")

_LAYOUT_JS = r"""async ([placeholders, minFont, minPx]) => {
  const article = document.querySelector('.bd-article') || document.body;
  const inCode = e => e.closest('pre, code, .highlight, script, style');
  const pipeTables = Array.from(article.querySelectorAll('p'))
    .filter(p => !inCode(p))
    .map(p => p.textContent.trim())
    // the separator row: |---| in the source, |—| once Sphinx's smartquotes made the dashes an em dash
    .filter(t => (t.match(/\|/g) || []).length >= 4 && /\|\s*:?(-{3,}|[\u2014\u2013]-*):?\s*\|/.test(t))
    .map(t => t.slice(0, 80));
  const placeholderLinks = Array.from(document.querySelectorAll('a[href]'))
    .map(a => a.href)
    .filter(h => { try { const u = new URL(h);
                         return placeholders.some(p => u.hostname === p || u.hostname.endsWith('.' + p)); }
                   catch (e) { return false; } });
  async function pngInfo(src) {
    // pHYs gives the dots per inch; the tEXt chunk MinFontPt (course.viz.frames) the smallest font
    try {
      const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
      const view = new DataView(bytes.buffer);
      if (view.getUint32(0) !== 0x89504e47) return {};
      const info = {};
      for (let at = 8; at + 8 <= bytes.length;) {
        const len = view.getUint32(at), type = String.fromCharCode(...bytes.slice(at + 4, at + 8));
        const data = bytes.slice(at + 8, at + 8 + len);
        if (type === 'pHYs' && data[8] === 1) info.dpi = new DataView(data.buffer).getUint32(0) * 0.0254;
        if (type === 'tEXt') {
          const text = String.fromCharCode(...data), zero = text.indexOf('\0');
          if (text.slice(0, zero) === 'MinFontPt') info.minFontPt = parseFloat(text.slice(zero + 1));
        }
        if (type === 'IEND') break;
        at += 12 + len;
      }
      return info;
    } catch (e) { return {}; }
  }
  const smallFigures = [];
  for (const img of Array.from(article.querySelectorAll('img'))) {
    const shown = img.getBoundingClientRect().width;
    if (!img.naturalWidth || !shown || inCode(img)) continue;  // hidden (another slider frame) or broken
    const info = await pngInfo(img.currentSrc || img.src);
    const dpi = info.dpi || 100, pt = info.minFontPt || minFont;
    const px = pt * dpi / 72 * shown / img.naturalWidth;
    if (px < minPx - 0.05) {
      const src = (img.getAttribute('src') || '').startsWith('data:') ? 'data:image (a widget frame)'
                                                                       : img.getAttribute('src');
      const pct = Math.round(100 * shown / img.naturalWidth);
      smallFigures.push(`${src}: text at ${px.toFixed(1)} CSS px (${pt} pt at ${Math.round(dpi)} dpi, ` +
                        `shown at ${pct} %)`);
    }
  }
  const right = article.getBoundingClientRect().right;
  const wide = (e) => e.scrollWidth > e.clientWidth + 1;
  const first = (e) => (e.textContent || '').trim().split('\n')[0].slice(0, 60);
  const code = Array.from(article.querySelectorAll('div.cell_input pre, div.highlight pre'))
    .filter(e => !e.closest('.cell_output, .output')).filter(wide).map(first);
  const output = Array.from(article.querySelectorAll('.cell_output pre, .output pre')).filter(wide).map(first);
  const math = Array.from(article.querySelectorAll('mjx-container[display="true"]'))
    .filter(e => { const m = e.querySelector('mjx-math') || e;
                   return m.getBoundingClientRect().right > Math.min(right, e.getBoundingClientRect().right) + 1
                          || wide(e); })
    .map(e => (e.getAttribute('aria-label') || e.textContent || '').slice(0, 60));
  return {pipeTables, placeholderLinks, smallFigures, overflow: {code, output, math}};
}"""

# the kinds of layout problems an allow-list may tolerate, per page, up to a count
ALLOWABLE = ("small_figures", "code", "output", "math")


def measure_layout(page) -> dict[str, list[str]]:
    """What the reader sees of the open page's layout, as lists keyed by kind.

    ``pipe_tables`` paragraphs that are a Markdown table left unrendered; ``placeholder_links`` links to a
    placeholder host; ``small_figures`` images whose smallest text renders under ``MIN_CSS_PX`` (the PNG's
    ``MinFontPt`` tEXt, or the house minimum font, at its pHYs dpi, times the displayed/natural width);
    ``code``, ``output``, ``math``: code blocks, output blocks and display equations wider than the column.
    """
    m = page.evaluate(_LAYOUT_JS, [list(PLACEHOLDER_HOSTS), HOUSE_MIN_FONT_PT, MIN_CSS_PX])
    return {"pipe_tables": m["pipeTables"], "placeholder_links": m["placeholderLinks"],
            "small_figures": m["smallFigures"], **m["overflow"]}


def layout_problems(found: dict[str, list[str]], allowed: dict[str, int] | None = None) -> list[str]:
    """Problems in ``measure_layout``'s findings: any pipe table or placeholder link, and more of each
    ``ALLOWABLE`` kind than ``allowed`` tolerates (none by default)."""
    allowed = allowed or {}
    problems = [f"raw pipe table (Markdown not rendered): {t!r}" for t in found["pipe_tables"]]
    problems += [f"link to a placeholder host: {u}" for u in found["placeholder_links"]]
    names = {"small_figures": "figure text below 9 CSS px", "code": "code block wider than the column",
             "output": "output block wider than the column", "math": "display equation wider than the column"}
    for kind in ALLOWABLE:
        items = found[kind]
        if len(items) > allowed.get(kind, 0):
            problems.append(f"{len(items)} x {names[kind]} (allowed {allowed.get(kind, 0)}): "
                            + "; ".join(repr(i) for i in items[:6]))
    return problems


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
    page, url: str, screenshot: Path | None = None, widget_timeout_ms: int = 30_000,
    allowed: dict[str, int] | None = None, layout: dict | None = None,
) -> list[str]:
    """Open `url` in a fresh playwright page and list every problem a reader with no network would hit.

    Checks: every request goes to 127.0.0.1 (others are aborted and reported), no request fails or gets
    an HTTP error, no console error or uncaught exception, no raw TeX left in the prose, every `.math`
    element typeset by MathJax without error, every `<img>` loaded, every embedded widget rendered, and
    the layout checks of ``measure_layout`` (with ``allowed`` tolerated).

    Args:
        page: a fresh playwright sync `Page` (the checks attach handlers to it).
        url: the page to open.
        screenshot: where to save a screenshot of the first screen, if given.
        widget_timeout_ms: how long embedded widgets may take to render.
        allowed: how many of each ``ALLOWABLE`` layout problem the page may have (see ``layout_problems``).
        layout: if given, filled with ``measure_layout``'s findings (for a report).

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

    found = measure_layout(page)
    if layout is not None:
        layout.update(found)
    problems.extend(layout_problems(found, allowed))

    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    page.wait_for_load_state("networkidle")
    problems.extend(f"request to an outside host: {u}" for u in sorted(external))
    return problems


_MARK_SLIDERS_JS = """() => {
  const handles = Array.from(document.querySelectorAll('.widget-slider [role=slider]'));
  handles.forEach((h, i) => {
    const box = h.closest('.cell_output') || h.closest('.output')
                || [...document.querySelectorAll('.widget-vbox')].reverse().find(b => b.contains(h)) || h.parentElement;
    box.setAttribute('data-audit-slider', String(i));
  });
  return handles.length;
}"""


def slider_problems(page, settle_ms: int = 400) -> list[str]:
    """Move every embedded slider of the open page one step; its picture must change.

    The picture is the visible ``img`` (or ``canvas``) in the slider's cell output (or widget box): a slider
    whose callback needs a kernel moves in the static page while its figure stays put, and is reported.
    """
    problems = []
    count = page.evaluate(_MARK_SLIDERS_JS)
    for i in range(count):
        handle = page.locator(".widget-slider [role=slider]").nth(i)
        picture = page.locator(f"[data-audit-slider='{i}'] :is(img, canvas):visible").first
        if picture.count() == 0:
            problems.append(f"slider {i + 1}: no picture shown beside it")
            continue
        handle.scroll_into_view_if_needed()
        picture.scroll_into_view_if_needed()
        before_value = handle.get_attribute("aria-valuenow")
        before = picture.screenshot()
        at_max = before_value == handle.get_attribute("aria-valuemax")
        handle.focus()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_timeout(settle_ms)
        after_value = handle.get_attribute("aria-valuenow")
        if after_value == before_value:
            problems.append(f"slider {i + 1}: the keyboard did not move it (stays at {before_value})")
            continue
        picture = page.locator(f"[data-audit-slider='{i}'] :is(img, canvas):visible").first
        if picture.count() == 0 or picture.screenshot() == before:
            problems.append(f"slider {i + 1}: moved from {before_value} to {after_value} but its figure "
                            "did not change (a callback that needs a kernel?)")
    return problems
