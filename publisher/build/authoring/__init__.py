"""The authoring format: one YAML file per source document, converted to the ontology's RDF.

A curator writes what a source says (its events, participants, claims, numbers and the quote
behind each fact) in YAML checked by a JSON Schema (``publisher/schemas/source.schema.json``);
``inputs.parse_quads`` converts it to the quads of the source's named graph, so every step of
the build reads it as it reads TriG. docs/authoring.md is the curator's guide.

Modules: ``document`` (YAML with line numbers), ``schema`` (the JSON Schema check),
``terms`` (references, dates, vocabulary IRIs), ``passages`` (quotes and their offsets),
``convert`` (YAML to quads), ``vocabulary`` (what the ontology allows), ``dataset`` (the rest
of the data, as context), ``checks`` (a source against both), ``validate`` (one new file
against the dataset), ``skeleton`` (``diplograph new source``), ``step`` (the build step).
"""
