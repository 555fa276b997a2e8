"""Importers of coded event data (ICEWS, POLECAT, GDELT 2.0): table-driven, one ``Layout``
per format.

``layouts`` (what each column means) -> ``reader`` (rows with their line and offsets) ->
``convert`` (a row to an event, or the reason it cannot be) with ``vocabulary`` (the CAMEO
codes of the ontology) and ``reconcile`` (one IRI per actor, place, publisher) -> ``writer``
(TriG, one named graph per story) into ``outdir`` (never over hand-written data), run by
``importer.import_files``. docs/import.md is the user's guide.
"""
