"""A small Sphinx extension for the book (loaded through ``sphinx.local_extensions`` in ``_config.yml``).

The chapters cite author-year, ``{cite:p}`elman1990``` -> "(Elman, 1990)", but sphinxcontrib-bibtex's
``plain`` style labels the bibliography ``[1]``, ``[2]``...: a reader following "(Elman, 1990)" lands on
"[7]". The ``author_year`` bibliography style registered here is ``plain`` (same entries, sorted by author,
year, title) with labels that match the citations: "[Elman, 1990]", "[Cho et al., 2014]".
"""

from __future__ import annotations

from typing import Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def author_year_label(entry: Any) -> str:
    """"Elman, 1990", "Hochreiter and Schmidhuber, 1997", "Cho et al., 2014" (the in-text form)."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.prelast_names + p.last_names) for p in people]
    names = [n.replace("{", "").replace("}", "") for n in names]
    if not names:
        who = entry.fields.get("title", entry.key)[:20]
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Author, Year", with a, b, ... appended when two entries would share one."""

    def format_labels(self, sorted_entries):
        labels = [author_year_label(e) for e in sorted_entries]
        seen: dict[str, int] = {}
        for label in labels:
            seen[label] = seen.get(label, 0) + 1
        suffix: dict[str, int] = {}
        for label in labels:
            if seen[label] > 1:
                suffix[label] = suffix.get(label, 0) + 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[suffix[label] - 1]
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` formatting, author-year labels."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def setup(app: Any) -> dict[str, Any]:
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
