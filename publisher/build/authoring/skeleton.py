"""``diplograph new source SLUG``: a commented skeleton of a source file to fill in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from publisher.build.authoring.schema import SCHEMA_URL
from publisher.build.authoring.terms import SLUG

SKELETON = """\
# yaml-language-server: $schema={schema}
# One source document and what it says (docs/authoring.md). Check it with
#   diplograph validate {path}
# which checks it against the rest of the dataset and names the line of each problem.
# The source's text goes beside this file as {slug}.txt: the build finds each quote in it.

source:
  id: {slug}                      # id/source/{slug}
  type: NewsArticle               # or SourceDocument
  label: TITLE OF THE ARTICLE     # its title or an English description
  # published: 2025-09-03         # at the precision known: 2025, 2025-09 or 2025-09-03
  # publisher: org:SOME-OUTLET    # an org:… the dataset has, or describe it under entities:

graph:
  created: {today}                # the day you curated it

# New people, organisations, places (give type and label); facts about known ones
# (person:kim-jong-un is in the dataset already: just name him where he takes part).
entities:
  # - id: person:FIRST-LAST
  #   type: Person
  #   label: First Last
  #   quote: the words of the text that name them

events:
  - id: YYYY-MM-DD-WHAT-HAPPENED   # the date first, at the source's precision
    type: Meeting                  # StateVisit, Meeting, TreatySigning, … (the schema lists them)
    label: WHO DID WHAT WHERE (DATE)
    date: YYYY-MM-DD               # or YYYY-MM, YYYY, or: not stated
    # place: place:beijing
    # cameo: "040"                 # CAMEO code, in quotes; then source_actor and target_actor
    # source_actor: person:kim-jong-un
    # target_actor: person:xi-jinping
    quote: THE EXACT WORDS OF THE SOURCE THAT SAY IT
    participants:
      - who: person:kim-jong-un
        role: attendee             # host, guest, head-of-delegation, attendee, signatory, …

# claims:                          # what someone asserts, and how the source puts it
#   - id: SHORT-SLUG
#     label: "WHO: WHAT THEY SAY"
#     claimant: person:…
#     stance: attributed           # asserted (the source's own voice), attributed, reported
#     hedge: stated                # or estimated
#     subject: event:…
#     quote: THE EXACT WORDS

# numbers:                         # a number someone gives, with who gives it
#   - id: SHORT-SLUG
#     label: "WHO: ABOUT N SOLDIERS …"
#     value: 2000
#     qualifier: around            # the source's hedge word, if any
#     counted: soldiers
#     of: event:…
#     claimant: org:…
#     stance: attributed
#     quote: THE EXACT WORDS

# agreements:
#   - id: YYYY-MM-PARTIES-WHAT
#     type: Treaty
#     label: …
#     parties: [state:…, state:…]
#     quote: THE EXACT WORDS
"""


def skeleton(slug: str, path: Path, today: date | None = None) -> str:
    if not SLUG.fullmatch(slug):
        raise ValueError(
            f"{slug!r} is not a slug: use lowercase ASCII letters, digits and hyphens "
            "(it becomes the source's and the graph's IRI)"
        )
    return SKELETON.format(
        schema=SCHEMA_URL, slug=slug, path=path, today=(today or date.today()).isoformat()
    )


def write_skeleton(slug: str, folder: Path) -> Path:
    """Write ``folder/slug.yaml``; never overwrite a file."""
    path = folder / f"{slug}.yaml"
    text = skeleton(slug, path)
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(text)
    return path
