"""The built book in a real browser, with no network: every page of the TOC, math, images, widgets."""

from __future__ import annotations

import base64
import importlib.metadata
import json
from pathlib import Path

import pytest
import yaml
from site_audit import ALLOWABLE, HTML, REPO, SCREENSHOTS, audit_page, serve, slider_problems, toc_pages

PAGES = toc_pages()
# Pages that may, for now, have some figures with small text or blocks wider than the column: each entry
# says how many of each kind and why. Lower a count when a chapter is fixed; never raise one silently.
ALLOWLIST = yaml.safe_load((Path(__file__).with_name("layout_allowlist.yml")).read_text(encoding="utf-8")) or {}
LAYOUT_REPORT = SCREENSHOTS / "layout"
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
    allowed = {k: int(v) for k, v in (ALLOWLIST.get(name) or {}).items() if k in ALLOWABLE}
    layout: dict = {}
    problems = audit_page(page, site + f"{name}.html", screenshot=shot, allowed=allowed, layout=layout)
    LAYOUT_REPORT.mkdir(parents=True, exist_ok=True)
    counts = {k: len(layout.get(k, [])) for k in ALLOWABLE}
    (LAYOUT_REPORT / f"{name.replace('/', '__')}.json").write_text(
        json.dumps({"page": name, "counts": counts, "allowed": allowed, "found": layout}, indent=1),
        encoding="utf-8")
    print(f"{name}: " + ", ".join(f"{k} {counts[k]}" for k in ALLOWABLE))
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_allowlist_names_pages_and_reasons():
    """Every allow-list entry is a page of the book, gives a reason, and allows only known kinds."""
    for name, entry in ALLOWLIST.items():
        assert name in PAGES, f"layout_allowlist.yml: {name} is not a page of the book"
        assert str(entry.get("reason", "")).strip(), f"layout_allowlist.yml: {name} gives no reason"
        unknown = set(entry) - set(ALLOWABLE) - {"reason"}
        assert not unknown, f"layout_allowlist.yml: {name} has unknown kinds {unknown}"


@pytest.mark.parametrize("name", _slider_pages() or ["(none)"])
def test_every_slider_changes_its_figure(site, page, name):
    """In the static page, with no kernel, moving each slider changes the figure beside it."""
    if name == "(none)":
        pytest.skip("no page of the book embeds a slider")
    problems = audit_page(page, site + f"{name}.html", allowed={k: 10**6 for k in ALLOWABLE})
    problems += slider_problems(page)
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


def test_search_snippets_show_no_tex(site, page):
    """Sphinx builds search snippets from the page's HTML, where a formula is its TeX source; the book's
    rnn-book.js leaves formulas out of the snippets."""
    from site_audit import RAW_TEX

    page.goto(site + "search.html?q=hidden+state", wait_until="networkidle")
    page.wait_for_function("document.querySelectorAll('#search-results p.context').length >= 3", timeout=30_000)
    page.wait_for_timeout(1000)  # snippets arrive one page fetch at a time
    snippets = page.evaluate("Array.from(document.querySelectorAll('#search-results p.context'))"
                             ".map(p => p.textContent)")
    raw = [s[:100] for s in snippets if any(tex in s for tex in RAW_TEX)]
    assert raw == [], f"raw TeX in {len(raw)} of {len(snippets)} search snippets: {raw[:3]}"


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
    "pipe_table": ("<p>| model | accuracy |\n|---|---|\n| RNN | 0.91 |</p>", "raw pipe table"),
    "pipe_table_smartquotes": ("<p>| model | accuracy |\n|\u2014|\u2014|\n| RNN | 0.91 |</p>", "raw pipe table"),
    "placeholder_host": ('<a href="https://jupyterhub.example.org/hub/user-redirect/git-pull?repo=x">hub</a>',
                         "link to a placeholder host: https://jupyterhub.example.org/"),
    "small_figure": ('<div class="bd-article" style="width: 500px"><img src="wide.png" style="max-width: 100%"></div>',
                     "figure text below 9 CSS px"),
    "wide_code": ('<div class="bd-article" style="width: 400px"><div class="highlight"><pre style="overflow: auto">'
                  + "x = 1  # " + "a long comment " * 10 + "</pre></div></div>", "code block wider than the column"),
    "wide_math": ('<div class="bd-article" style="width: 300px"><div class="math notranslate nohighlight">\\['
                  + " + ".join(f"x_{{{k}}}" for k in range(40)) + "\\]</div></div>" + _MATHJAX,
                  "display equation wider than the column"),
}


def _widget_page(box) -> str:
    """The body of a page embedding ``box`` as myst-nb does: its state, one view, the vendored manager."""
    from ipywidgets.embed import embed_data

    data = embed_data(views=[box])
    return (f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(data["manager_state"])}'
            f'</script><script src="jupyter-widgets/require.js"></script>'
            f'<script src="jupyter-widgets/widgets-offline.js"></script>'
            f'<script src="jupyter-widgets/embed-amd.js"></script>'
            f'<div class="cell_output"><script type="{WIDGET_VIEW}">{json.dumps(data["view_specs"][0])}</script>'
            f"</div>")


def _slider_fixtures() -> dict[str, str]:
    """A slider that only a kernel could redraw (its picture never changes) and one from frame_slider."""
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course.viz.frames import figure_png, frame_slider

    def draw(k):
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.plot([0, 1], [0, k])
        return fig

    frozen = widgets.VBox([widgets.IntSlider(value=1, min=1, max=3),
                           widgets.Image(value=figure_png(draw(1)), format="png")])
    plt.close("all")
    return {"frozen_slider": _widget_page(frozen), "live_slider": _widget_page(frame_slider(draw, [1, 2, 3]))}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("fixture_site")
    (root / "dot.png").write_bytes(_PNG_1PX)
    mathjax = Path(str(importlib.metadata.distribution("sphinx-mathjax-offline").locate_file(
        "sphinx-mathjax-offline/static/mathjax")))
    (root / "mathjax").symlink_to(mathjax, target_is_directory=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(20, 2), dpi=100)  # 2000 px of 9 pt text shown in 500 px: 3 CSS px
    fig.text(0.1, 0.5, "tiny", fontsize=9)
    fig.savefig(root / "wide.png", dpi=100)
    plt.close(fig)
    (root / "jupyter-widgets").symlink_to(REPO / "book" / "_vendor" / "jupyter-widgets", target_is_directory=True)
    bodies = {name: body for name, (body, _) in FIXTURES.items()} | _slider_fixtures()
    for name, body in bodies.items():
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


@pytest.mark.parametrize("name, expected", [("frozen_slider", "did not change"), ("live_slider", None)])
def test_slider_check_catches_a_frozen_figure(fixture_site, page, name, expected):
    """A slider whose picture stays put when moved is reported; a frame_slider passes."""
    problems = audit_page(page, fixture_site + f"{name}.html")
    assert not problems, problems
    problems = slider_problems(page)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems
