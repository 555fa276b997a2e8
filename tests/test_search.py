"""Label search: normalisation, tokens, ranking, "did you mean", and its speed at scale."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from publisher.release.store import Store
from publisher.web.search import (
    MAX_CANDIDATES,
    Hit,
    LabelIndex,
    normalise,
    tokens,
    weight_by_kind,
)

DATA = Path(__file__).parent / "data" / "pages"
BASE = "https://w3id.org/diplograph/"
ID = BASE + "id/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The page fixture loaded straight into a store (labels in five languages)."""
    path = tmp_path_factory.mktemp("search-store")
    writable = ox.Store(str(path))
    writable.load(path=str(DATA / "data.trig"), format=ox.RdfFormat.TRIG)
    writable.load(
        path=str(DATA / "ontology.ttl"),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(ID + "graph/ontology"),
    )
    writable.flush()
    del writable
    return Store(path)


@pytest.fixture(scope="module")
def index(store: Store) -> LabelIndex:
    return LabelIndex.from_store(store, weight=weight_by_kind(BASE))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PUTIN", "putin"),
        ("Pjöngjang", "pjongjang"),
        ("Путин", "путин"),
        ("Ｋｉｍ", "kim"),  # full-width letters fold (NFKD)
        ("Straße", "strasse"),
        ("Đà Nẵng", "đa nang"),  # đ has no decomposition; the marks around it still go
    ],
)
def test_normalise_folds_case_accents_and_width(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_tokens_split_words_and_unspaced_scripts() -> None:
    assert tokens("Kim Jong Un's visit") == ["kim", "jong", "un", "s", "visit"]
    assert tokens("金正恩") == ["金", "正", "恩"]
    assert tokens("Владимир Путин") == ["владимир", "путин"]
    assert tokens("  --  ") == []


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("putin", "person/vladimir-putin"),
        ("PUTIN", "person/vladimir-putin"),
        ("Путин", "person/vladimir-putin"),
        ("путин", "person/vladimir-putin"),
        ("xi jinping", "person/xi-jinping"),
        ("习近平", "person/xi-jinping"),
        ("pyongyang", "place/pyongyang"),
        ("Pjongjang", "place/pyongyang"),
        ("pjöngjang", "place/pyongyang"),
        ("평양", "place/pyongyang"),
        ("金正恩", "person/kim-jong-un"),
        ("正恩", "person/kim-jong-un"),
        ("kim jong", "person/kim-jong-un"),
        ("jong un kim", "person/kim-jong-un"),
        ("nis", "org/nis"),
        ("Democratic People's Republic", "state/prk"),
        ("парад", "event/2025-09-03-beijing-victory-day-parade"),
    ],
)
def test_search_finds_labels_in_any_language(index: LabelIndex, query: str, first: str) -> None:
    hits = index.search(query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].iri == ID + first


def test_search_ranks_whole_label_before_mentions(index: LabelIndex) -> None:
    iris = [hit.iri for hit in index.search("putin")]
    assert iris[0] == ID + "person/vladimir-putin"
    assert ID + "event/2024-06-kim-jong-un-putin-meeting-in-pyongyang" in iris[1:]


def test_search_returns_each_resource_once_with_its_best_label(index: LabelIndex) -> None:
    hits = index.search("kim")
    assert len({hit.iri for hit in hits}) == len(hits)
    kim = next(hit for hit in hits if hit.iri == ID + "person/kim-jong-un")
    assert kim.label == "Kim Jong Un" and kim.language == "en"


def test_search_requires_every_word(index: LabelIndex) -> None:
    assert index.search("putin beijing") == []
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("zzzz") == []


def test_search_respects_limit(index: LabelIndex) -> None:
    assert len(index.search("kim", limit=2)) == 2


def test_excluded_graphs_are_not_indexed(store: Store) -> None:
    without = LabelIndex.from_store(store, exclude_graphs=[ID + "graph/reference"])
    assert without.search("Путин") == []
    assert without.search("putin")[0].iri == ID + "person/vladimir-putin"


def test_similar_suggests_resources_for_an_unknown_slug(index: LabelIndex) -> None:
    iris = [hit.iri for hit in index.similar("kim-jong-il")]
    assert iris[0] == ID + "person/kim-jong-un"
    assert index.similar("---") == []


def test_weight_by_kind_prefers_things_to_records() -> None:
    weight = weight_by_kind(BASE)
    assert weight(ID + "person/x") > weight(ID + "participation/x")
    assert weight("http://example.org/person/x") == 0


def test_index_work_stays_bounded_on_many_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over 100,000 labels a query ranks only the labels of its rarest word, and a vague one
    at most ``MAX_CANDIDATES``: its work does not grow with the index (how fast that is,
    benchmarks/pages_benchmark.py's /search rows measure)."""
    index = LabelIndex()
    words = ["summit", "visit", "parade", "treaty", "meeting", "border", "envoy", "talks"]
    for i in range(100_000):
        index.add(f"{ID}event/e{i}", f"{words[i % 8]} {words[(i // 8) % 8]} number {i}", "en")
    index.finish()
    ranked: list[int] = []
    rank = index._rank

    def counting_rank(entry_ids: Iterable[int], *args: Any) -> list[Hit]:
        ids = list(entry_ids)
        ranked.append(len(ids))
        return rank(ids, *args)

    monkeypatch.setattr(index, "_rank", counting_rank)
    hits = index.search("summit number 12344")
    assert hits[0].iri == f"{ID}event/e12344"
    assert ranked == [1]  # "12344" is the rarest word: only e12344's label is ranked
    assert len(index.search("summit visit", limit=10)) == 10  # a common pair
    assert len(index.search("s", limit=10)) == 10  # every label has a word starting with s
    assert max(ranked) <= MAX_CANDIDATES


def test_one_label_policy_names_finds_and_titles_alike(tmp_path: Path) -> None:
    """A thing named only by ``schema:name`` is titled, labelled and found (web/labels.py)."""
    from publisher.web.description import describe_resource
    from publisher.web.labels import fetch_labels

    writable = ox.Store(str(tmp_path))
    thing = ox.NamedNode(ID + "place/zhongnanhai")
    name = ox.Literal("Zhongnanhai compound", language="en")
    graph = ox.NamedNode(ID + "graph/test")
    writable.add(ox.Quad(thing, ox.NamedNode("http://schema.org/name"), name, graph))
    writable.flush()
    del writable
    store = Store(tmp_path)
    hits = LabelIndex.from_store(store).search("zhongnan")
    assert [(h.iri, h.label) for h in hits] == [(thing.value, name.value)]
    description = describe_resource(store, thing.value)
    assert description is not None and description.label(thing.value) == name.value
    assert fetch_labels(store, [thing.value]) == {thing.value: [name]}
