"""The home page's numbers: computed once per release, off the request path."""

from __future__ import annotations

from typing import Any

from publisher.release.catalogue import dataset_statistics
from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.uris import local_href
from publisher.web.labels import labelled
from publisher.web.pages import lookups
from publisher.web.pages.names import human_time
from publisher.web.pages.timeline import VagueDate

#: The home page is computed once for everyone (in English, like the rest of its text).
HOME_LANGUAGES = ("en",)
RECENT_EVENTS = 8


def home_page(store: Store, base: str, release: Release) -> dict[str, Any]:
    """What the dataset is, how big, what is in it: the exact counts ``/downloads/`` and
    ``/dataset`` show, the classes with their sizes, and the latest events."""
    stats = dataset_statistics(release)
    classes = lookups.class_counts(store)
    class_names = labelled(store, [c for c, _ in classes], HOME_LANGUAGES)
    recent = lookups.recent_events(store, RECENT_EVENTS)
    recent_rows = []
    for (iri, label, language), date in zip(
        labelled(store, list(recent), HOME_LANGUAGES), recent.values(), strict=True
    ):
        parsed = VagueDate.parse(date.value, date.datatype.value) if date else None
        recent_rows.append(
            {
                "href": local_href(iri, base),
                "label": label,
                "lang": language if language and language != "en" else None,
                "date": parsed.human() if parsed else "",
                "iso": parsed.iso if parsed else "",
            }
        )
    return {
        "triples": stats.get("triples", 0),
        "quads": stats.get("quads", 0),
        "entities": stats.get("entities", 0),
        "graphs": len(stats.get("graphs", ())),
        "release": release.id,
        "created": human_time(stats.get("created") or ""),
        "classes": [
            {"iri": c, "label": name, "count": n}
            for (c, n), (_, name, _) in zip(classes, class_names, strict=True)
        ],
        "recent": recent_rows,
    }
