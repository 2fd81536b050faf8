"""The maintenance scripts behind the Makefile."""

from __future__ import annotations

import yaml

from scripts.solutions_book import ROOT, with_solutions


def test_the_solutions_book_adds_one_solution_page_per_exercise_page():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    exercises = [c["file"] for part in toc["parts"] for c in part["chapters"]
                 if c["file"].startswith("exercises/")]
    assert exercises, "the published TOC lists the student exercise notebooks"
    solutions = with_solutions(toc)["parts"][-1]
    assert solutions["caption"].startswith("Solutions")
    assert [c["file"] for c in solutions["chapters"]] == [f"grader/solutions/{e[len('exercises/'):]}"
                                                         for e in exercises]
    for page in solutions["chapters"]:
        assert (ROOT / f"{page['file']}.ipynb").is_file(), page
    assert with_solutions(toc)["parts"][:-1] == toc["parts"]  # the rest of the book unchanged
