"""The catalogue of a release: the files of ``dumps/`` (``index.json``, ``SHA256SUMS``) and
the statistics the build counted. The build writes it; the server only reads it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from publisher.formats import BY_NAME, RDF_FORMATS, Format
from publisher.release.layout import Release

INDEX = "index.json"
SHA256SUMS = "SHA256SUMS"
GZIP_MEDIA_TYPE = "application/gzip"
RDF_FORMAT_NAMES = frozenset(f.name for f in RDF_FORMATS)


@dataclass(frozen=True)
class DumpFile:
    """One file of the release's ``dumps/`` directory, as listed in ``index.json``."""

    name: str
    format: str  # a FORMATS name (turtle, ntriples, nquads, trig)
    media_type: str  # of the RDF inside; the HTTP Content-Type of a .gz is application/gzip
    compressed: bool
    size: int
    sha256: str
    triples: int  # distinct triples (for a quad dump: of the union of its graphs)
    quads: int | None  # for quad dumps: the quads, named graphs included
    graph: str | None  # the one named graph it holds, if not the whole dataset
    description: str
    # What a file that is not RDF holds (``triples`` is 0 for it); absent from older
    # indexes, so optional: a table's data rows, a network's nodes and edges.
    rows: int | None = None
    nodes: int | None = None
    edges: int | None = None

    @property
    def is_rdf(self) -> bool:
        """Whether the file is RDF, so that ``triples`` counts something."""
        return self.format in RDF_FORMAT_NAMES

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type: the file as stored, never a transparent Content-Encoding."""
        return GZIP_MEDIA_TYPE if self.compressed else self.media_type

    @property
    def rdf_format(self) -> Format:
        return BY_NAME[self.format]


def write_index(out_dir: Path, files: Sequence[DumpFile], release_id: str) -> None:
    """Write ``index.json`` (the machine-readable listing) and ``SHA256SUMS``."""
    index = {"release": release_id, "files": [asdict(f) for f in files]}
    (out_dir / INDEX).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    (out_dir / SHA256SUMS).write_text(sha256sums(files), encoding="utf-8")


def sha256sums(files: Sequence[DumpFile]) -> str:
    """The checksums in the format ``sha256sum -c`` reads: digest, two spaces, name."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in files)


def read_index(dumps_dir: Path) -> list[DumpFile]:
    """The files a release's ``dumps/`` directory offers; empty if it has no index."""
    path = dumps_dir / INDEX
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(DumpFile)}  # a key a later build adds is skipped
    return [DumpFile(**{k: v for k, v in entry.items() if k in known}) for entry in data["files"]]


@dataclass(frozen=True)
class GraphStatistics:
    """A named graph: a VoID subset, with the sources it was derived from."""

    iri: str
    triples: int
    sources: list[str] = field(default_factory=list)
    description: str | None = None


@dataclass(frozen=True)
class Statistics:
    """Exact counts of a release's data (every graph but the VoID graph)."""

    triples: int
    quads: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    class_partitions: list[tuple[str, int]]  # class IRI, distinct instances
    property_partitions: list[tuple[str, int]]  # property IRI, distinct triples
    graphs: list[GraphStatistics]
    default_graph_triples: int
    vocabularies: list[str]
    examples: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statistics:
        values = dict(data)
        values["class_partitions"] = [tuple(p) for p in data["class_partitions"]]
        values["property_partitions"] = [tuple(p) for p in data["property_partitions"]]
        values["graphs"] = [GraphStatistics(**g) for g in data["graphs"]]
        return cls(**values)


def dataset_statistics(release: Release) -> dict[str, Any]:
    """The release's statistics for pages (home, /downloads/, /dataset): a plain dict.

    Keys: ``release``, ``created`` and every field of ``Statistics`` (``triples``,
    ``entities``, ``class_partitions`` ...); empty counts if the release predates them.
    """
    manifest = release.manifest()
    stats = manifest.get("statistics") or {}
    return {"release": release.id, "created": manifest.get("created"), **stats}
