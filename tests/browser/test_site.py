"""The built book in a real browser, with no network: every page of the TOC, math, images, widgets."""

from __future__ import annotations

import base64
import importlib.metadata
import json
from pathlib import Path

import pytest
from site_audit import HTML, SCREENSHOTS, audit_page, serve, toc_pages

PAGES = toc_pages()
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SLIDER_MODELS = ("IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "SelectionSliderModel")


def _first_of_each_part() -> set[str]:
    """The root and the first page of each part: the pages screenshotted for people to look at."""
    import yaml
    from site_audit import REPO

    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    firsts = {toc["root"]}
    for part in toc.get("parts", []):
        chapters = part.get("chapters") or []
        if chapters:
            firsts.add(chapters[0]["file"])
    return {f.removesuffix(".md").removesuffix(".ipynb") for f in firsts}


def _slider_pages() -> list[str]:
    """TOC pages whose built HTML embeds an ipywidgets slider."""
    found = []
    for name in PAGES:
        html = HTML / f"{name}.html"
        if html.is_file():
            text = html.read_text(encoding="utf-8")
            if WIDGET_VIEW in text and any(m in text for m in SLIDER_MODELS):
                found.append(name)
    return found


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_offline(site, page, name):
    """Every TOC page loads from 127.0.0.1 alone, with math typeset, images loaded, no errors."""
    assert (HTML / f"{name}.html").is_file(), f"{name} is in _toc.yml but was not built"
    shot = SCREENSHOTS / f"{name.replace('/', '__')}.png" if name in _first_of_each_part() else None
    problems = audit_page(page, site + f"{name}.html", screenshot=shot)
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_slider_moves_with_the_keyboard(site, page):
    """An embedded ipywidgets slider is live in the static page: ArrowRight changes its value."""
    pages = _slider_pages()
    if not pages:
        pytest.skip("no page of the book embeds an ipywidgets slider yet (the chapters will add them)")
    name = pages[0]
    problems = audit_page(page, site + f"{name}.html")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
    handle = page.locator(".widget-slider [role=slider]").first
    handle.scroll_into_view_if_needed()
    before = handle.get_attribute("aria-valuenow")
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, v]) => el.getAttribute('aria-valuenow') !== v", arg=[handle.element_handle(), before],
        timeout=5_000)
    after = handle.get_attribute("aria-valuenow")
    assert float(after) > float(before), f"{name}: slider went from {before} to {after} on ArrowRight"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '__')}__slider.png"))


def test_toc_lists_every_part_page_once():
    """The page list the browser test walks is the TOC's, each page once."""
    assert PAGES[0] == "book/intro"
    assert len(PAGES) == len(set(PAGES)), f"a page is listed twice in _toc.yml: {PAGES}"


# The checks must be able to fail: each fixture page below has one defect the audit must report.

_PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
_MATHJAX = '<script defer src="mathjax/tex-chtml.js"></script>'

FIXTURES = {
    "clean": ('<p>Plain prose, a local image <img src="dot.png" alt="dot"> and typeset math '
              '<span class="math notranslate nohighlight">\\(h_t = \\tanh(W_h h_{t-1})\\)</span>.</p>'
              + _MATHJAX, None),
    "outside_image": ('<p><img src="https://example.org/figure.png" alt="x"></p>',
                      "request to an outside host: https://example.org/figure.png"),
    "outside_script": ('<script src="https://cdn.jsdelivr.net/npm/x@1/x.js"></script>',
                       "request to an outside host: https://cdn.jsdelivr.net/npm/x@1/x.js"),
    "missing_image": ('<p><img src="missing.png" alt="x"></p>', "image not loaded: missing.png"),
    "missing_file": ('<link rel="stylesheet" href="missing.css">', "HTTP 404"),
    "raw_tex": ("<p>The state \\(h_t\\) is raw.</p>", "raw TeX '\\\\('"),
    "raw_display_tex": ("<p>$$h_t = x$$</p>", "raw TeX '$$'"),
    "math_not_typeset": ('<p><span class="math">h_t</span></p>', "math not typeset by MathJax: 'h_t'"),
    "mathjax_error": ('<p><span class="math">\\(\\frac{1}\\)</span></p>' + _MATHJAX,
                      "MathJax error"),
    "console_error": ('<script>console.error("boom")</script>', "console error: boom"),
    "uncaught_exception": ('<script>throw new Error("kaput")</script>', "uncaught exception"),
    "widget_not_rendered": (f'<script type="{WIDGET_VIEW}">{json.dumps({"model_id": "0" * 32})}</script>',
                            "widgets not rendered: 0 of 1 views"),
}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("fixture_site")
    (root / "dot.png").write_bytes(_PNG_1PX)
    mathjax = Path(str(importlib.metadata.distribution("sphinx-mathjax-offline").locate_file(
        "sphinx-mathjax-offline/static/mathjax")))
    (root / "mathjax").symlink_to(mathjax, target_is_directory=True)
    for name, (body, _) in FIXTURES.items():
        (root / f"{name}.html").write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            f"<title>{name}</title></head><body>{body}</body></html>", encoding="utf-8")
    with serve(root) as url:
        yield url


@pytest.mark.parametrize("name", FIXTURES)
def test_audit_reports_the_defect(fixture_site, page, name):
    """Each kind of check catches its defect, and the clean page passes: the audit can fail."""
    expected = FIXTURES[name][1]
    problems = audit_page(page, fixture_site + f"{name}.html", widget_timeout_ms=300)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), f"{name}: expected {expected!r} in {problems}"
