"""Example queries for the query page: the project's competency questions.

They ship with the package (``queries/*.rq``, each stating its question in a
``# Question:`` header comment) and are read once, when the app starts. The test suite runs
the same files against the release (``tests/test_competency.py``), so the page only offers
queries proven to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent / "queries"


@dataclass(frozen=True)
class Example:
    """One example query: a short name, the question it answers, and its text."""

    name: str
    question: str
    query: str


def load_examples(folder: Path = QUERIES_DIR) -> list[Example]:
    """Every ``*.rq`` in ``folder``, in file-name order; none if the folder is missing."""
    if not folder.is_dir():
        return []
    return [_example(path) for path in sorted(folder.glob("*.rq"))]


def _example(path: Path) -> Example:
    text = path.read_text(encoding="utf-8")
    question: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        if body.startswith("Question") and ":" in body:
            question = [body.split(":", 1)[1].strip()]
        elif question and body.startswith("Answer:"):
            break
        elif question:
            question.append(body)
    title = " ".join(question) or path.stem.replace("-", " ")
    return Example(path.stem, title, text)
