"""A source checked against the ontology's vocabularies and the dataset it joins.

Each finding names the file and line and says how to fix it:

- a vocabulary word the ontology does not have (a role, a CAMEO code, an event type…),
  listing the ones it has;
- a reference to something described nowhere (not in the file, not in the dataset), with
  the closest IRIs the dataset has;
- something new to the dataset without a type or an English label;
- a thing named differently here and elsewhere: the same IRI with another English label, or
  a new IRI whose name is close to a known one's (a possible duplicate), with both spellings.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from publisher.build.authoring.convert import Conversion, Naming
from publisher.build.authoring.dataset import Dataset, DatasetView, normalise, similar
from publisher.build.authoring.terms import ID, OWL, RDF, RDFS, SCHEMES, kind_of
from publisher.build.authoring.vocabulary import Vocabulary
from publisher.build.shacl_report import display_path
from publisher.config import PROJECT_ROOT

#: Kinds of IRI that must carry a type and an English label when new to the dataset.
TYPED_KINDS = (
    *("person", "state", "org", "place", "agent", "delegation", "event", "claim"),
    *("agreement", "position", "participation", "source"),
)
#: Kinds whose names are compared with the dataset's (possible duplicates).
NAMED_KINDS = ("person", "state", "org", "place", "agent", "delegation")
#: The dataset as a source sees it: the other files.
Context = Dataset | DatasetView


@dataclass(frozen=True)
class Finding:
    """One problem with a source file, at a line."""

    path: Path
    line: int | None
    column: int | None
    message: str
    severity: str = "error"

    def format(self, root: Path | None = None) -> str:
        where = display_path(self.path, root)
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.severity}: {self.message}"


def check_conversion(
    conversion: Conversion, vocabulary: Vocabulary, dataset: Context
) -> list[Finding]:
    """Everything wrong with ``conversion`` that the ontology and ``dataset`` show."""
    path = conversion.path
    found: list[Finding] = []
    subjects = {q.subject.value for q in conversion.quads if isinstance(q.subject, ox.NamedNode)}
    for use in conversion.uses:
        if use.field in SCHEMES or use.field.startswith("class:"):
            problem = vocabulary.problem(use.field, use.term)
            if problem:
                found.append(Finding(path, use.line, use.column, problem))
        elif use.field == "reference":
            iri = use.term.value
            if iri not in subjects and not dataset.describes(iri):
                found.append(Finding(path, use.line, use.column, _unknown(iri, dataset)))
    found += _new_things(conversion, dataset)
    found += _names(path, conversion.namings, dataset)
    return _unique(found)


def check_quads(path: Path, quads: list[ox.Quad], dataset: Context) -> list[Finding]:
    """The name checks for a hand-written (TriG) file; the shapes check the rest."""
    labels: dict[str, list[str]] = {}
    different: dict[str, list[ox.NamedNode]] = {}
    for q in quads:
        subject, obj = q.subject, q.object
        if not isinstance(subject, ox.NamedNode) or kind_of(subject) not in NAMED_KINDS:
            continue
        if q.predicate.value == RDFS + "label" and isinstance(obj, ox.Literal):
            if obj.language == "en":
                labels.setdefault(subject.value, []).append(obj.value)
        elif q.predicate.value == OWL + "differentFrom" and isinstance(obj, ox.NamedNode):
            different.setdefault(subject.value, []).append(obj)
    namings = [
        Naming(
            ox.NamedNode(iri), names[0], (), tuple(different.get(iri, ())), (), line_of(path, iri)
        )
        for iri, names in labels.items()
    ]
    return _unique(_names(path, namings, dataset))


def _unknown(iri: str, dataset: Context) -> str:
    short = _short(iri)
    kind = iri[len(ID) :].split("/", 1)[0]
    known = [_short(s) for s in dataset.known(kind)]
    close = difflib.get_close_matches(short, known, n=3, cutoff=0.75)
    guess = f" Did you mean {' or '.join(close)}?" if close else ""
    section = "`entities:`" if kind in NAMED_KINDS else "its section"
    return (
        f"{short} is named here but described nowhere: neither in this file nor in the dataset "
        f"({len(dataset.files)} other file(s)).{guess} If it is new, describe it here under "
        f"{section} with its `type` and `label`"
    )


def _new_things(conversion: Conversion, dataset: Context) -> list[Finding]:
    """New IRIs (not in the dataset) need a type and an English label here."""
    typed: set[str] = set()
    labelled: set[str] = set()
    deprecated: set[str] = set()
    subjects: dict[str, None] = {}
    for q in conversion.quads:
        if not isinstance(q.subject, ox.NamedNode):
            continue
        subject, predicate, obj = q.subject.value, q.predicate.value, q.object
        subjects.setdefault(subject)
        if predicate == RDF + "type":
            typed.add(subject)
        elif predicate == RDFS + "label" and isinstance(obj, ox.Literal) and obj.language == "en":
            labelled.add(subject)
        elif predicate == OWL + "deprecated":
            deprecated.add(subject)
    found = []
    for subject in subjects:
        node = ox.NamedNode(subject)
        if kind_of(node) not in TYPED_KINDS or subject in deprecated:
            continue
        if dataset.describes(subject):
            continue
        missing = [
            key
            for key, have in (("`type`", subject in typed), ("`label`", subject in labelled))
            if not have
        ]
        if missing:
            found.append(
                Finding(
                    conversion.path,
                    conversion.lines.get(subject),
                    None,
                    f"{_short(subject)} is new to the dataset but has no "
                    + " and no ".join(missing)
                    + " here: give it "
                    + " and ".join(missing)
                    + " (or correct the id, if it is meant to be something the dataset has)",
                )
            )
    return found


def _names(path: Path, namings: Iterable[Naming], dataset: Context) -> list[Finding]:
    """Label conflicts and possible duplicates, with both spellings."""
    found = []
    seen: list[Naming] = []
    for naming in namings:
        iri, label = naming.iri.value, naming.label
        different = {d.value for d in naming.different_from}
        own = dataset.english_labels(iri)
        others = [(name, where) for name, where in own if name != label]
        if others:
            name, where = others[0]
            message = (
                f"{_short(iri)} is named {label!r} here but {name!r} in "
                f"{display_path(where, PROJECT_ROOT)}: two spellings of one thing. It has one "
                f"English label: use {name!r}, and add {label!r} under `alt_labels` if the "
                "source spells it so"
            )
            found.append(Finding(path, naming.line, None, message))
        elif not own:
            duplicate = _similar_in_dataset(naming, different, dataset) or _similar_here(
                naming, different, seen
            )
            if duplicate:
                found.append(Finding(path, naming.line, None, duplicate))
        seen.append(naming)
    return found


def _similar_in_dataset(naming: Naming, different: set[str], dataset: Context) -> str | None:
    for text in (naming.label, *naming.alt_labels):
        matches = [m for m in dataset.similar(naming.iri.value, text) if m[0] not in different]
        if matches:
            other, other_name, where = matches[0]
            place = display_path(where, PROJECT_ROOT)
            return _duplicate(naming.iri.value, text, other, other_name, place)
    return None


def _similar_here(naming: Naming, different: set[str], seen: list[Naming]) -> str | None:
    key = normalise(naming.label)
    for other in seen:
        if (
            kind_of(other.iri) == kind_of(naming.iri)
            and other.iri.value not in different
            and similar(key, normalise(other.label))
        ):
            where = f"line {other.line} of this file"
            return _duplicate(naming.iri.value, naming.label, other.iri.value, other.label, where)
    return None


def _duplicate(iri: str, name: str, other: str, other_name: str, where: str) -> str:
    return (
        f"possible duplicate: {_short(iri)} {name!r} (here) and {_short(other)} {other_name!r} "
        f"({where}). If they are the same, use {_short(other)} and add {name!r} to its "
        f"`alt_labels`; if not, add `different_from: {_short(other)}` to this entry"
    )


def line_of(path: Path, iri: str) -> int | None:
    """The first line of a hand-written file that names ``iri`` (in full or prefixed)."""
    local = iri.rsplit("/", 1)[-1]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, text in enumerate(lines, 1):
        if iri in text or (local and f":{local}" in text and not text.lstrip().startswith("#")):
            return number
    return None


def _short(iri: str) -> str:
    if iri.startswith(ID):
        kind, _, slug = iri[len(ID) :].partition("/")
        return f"{kind}:{slug}"
    return f"<{iri}>"


def _unique(found: list[Finding]) -> list[Finding]:
    seen, unique = set(), []
    for finding in sorted(found, key=lambda f: (f.line or 0, f.column or 0, f.message)):
        key = (finding.line, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
