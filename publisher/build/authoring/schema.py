"""The JSON Schema of the authoring format, and its problems in a curator's words.

The schema (``publisher/schemas/source.schema.json``, served at ``/schemas/source.schema.json``)
lets an editor complete and check a file as it is typed; it lists the vocabularies' words
(roles, CAMEO codes, classes) for completion. The build checks the same schema with those
lists left out: which words exist is the ontology's to say (``vocabulary``), so a build with
another ``ontology/`` is checked against its own vocabularies, with a message that lists them.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from publisher.build.authoring.document import AuthoringError, Document, Where

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "source.schema.json"
SCHEMA_URL = "https://w3id.org/diplograph/schemas/source.schema.json"

#: How a value at a place in the file is named in messages, by the section it is in.
SECTIONS = {
    "documents": "a document",
    "entities": "an entity",
    "positions": "a position",
    "events": "an event",
    "claims": "a claim",
    "numbers": "a number",
    "agreements": "an agreement",
    "withdrawn": "a withdrawn IRI",
    "participants": "a participant",
}


@cache
def published_schema() -> dict[str, Any]:
    """The schema as published, with the vocabularies' words."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    """The schema without the vocabularies' lists (see the module docstring)."""
    schema = copy.deepcopy(published_schema())
    for definition in schema["$defs"].values():
        if "x-vocabulary" in definition:
            definition.pop("enum", None)
            definition.pop("enumDescriptions", None)
    return Draft202012Validator(schema)


def problems(document: Document) -> list[AuthoringError]:
    """Every place where ``document`` does not fit the schema, in the order of the file."""
    found = [_explain(document, error) for error in _validator().iter_errors(document.data)]
    return sorted(found, key=lambda e: (e.line or 0, e.column or 0, e.reason))


def _explain(document: Document, error: ValidationError) -> AuthoringError:
    where: Where = tuple(error.absolute_path)
    name = _name(where)
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    if validator in ("anyOf", "oneOf") and error.context:
        deepest = best_match(error.context)
        if deepest is not None and len(deepest.absolute_path) > len(error.absolute_path):
            return _explain(document, deepest)
        return document.error(where, f"{name} is not valid: {_describe(schema, error)}")
    if validator == "required":
        missing = str(error.message).split("'")[1]
        about = schema.get("properties", {}).get(missing, {})
        hint = _description(about)
        what = SECTIONS.get(_section(where), "this")
        return document.error(where, f"{what} needs `{missing}`" + (f": {hint}" if hint else ""))
    if validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, dict) else {}
        extras = [k for k in instance if k not in known]
        key = extras[0]
        close = difflib.get_close_matches(key, known, n=1)
        guess = f" (did you mean `{close[0]}`?)" if close else ""
        what = SECTIONS.get(_section(where), "the file")
        return document.error(
            (*where, key),
            f"unknown key `{key}`{guess}: {what} takes " + ", ".join(f"`{k}`" for k in known),
        )
    if validator == "type":
        expected = error.validator_value
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPES.get(str(k), str(k)) for k in kinds)
        return document.error(
            where, f"{name} must be {wanted}, not {_shown(error.instance)}" + _hint(schema)
        )
    if validator in ("pattern", "not", "const", "enum", "format"):
        return document.error(
            where, f"{_shown(error.instance)} does not fit {name}: {_describe(schema, error)}"
        )
    if validator in ("minItems", "minLength"):
        if validator == "minLength":
            return document.error(where, f"{name} is empty: write it, or leave the key out")
        return document.error(where, f"{name} needs at least {error.validator_value} item(s)")
    if validator in ("minimum", "maximum"):
        return document.error(where, f"{name}: {error.message}" + _hint(schema))
    return document.error(where, f"{name}: {error.message}")


_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number (digits only: 2000, not 2,000)",
    "boolean": "true or false",
    "array": "a list (lines starting with `- `)",
    "object": "a mapping (`key: value` lines)",
}


def _name(where: Where) -> str:
    keys = [k for k in where if isinstance(k, str)]
    return f"`{keys[-1]}`" if keys else "the file"


def _section(where: Where) -> str:
    keys = [k for k in where if isinstance(k, str)]
    return keys[-1] if keys else ""


def _description(schema: dict[str, Any]) -> str:
    text = schema.get("description", "")
    return str(text).rstrip(".")


def _hint(schema: dict[str, Any]) -> str:
    text = _description(schema)
    return f" ({text})" if text else ""


def _describe(schema: dict[str, Any], error: ValidationError) -> str:
    for candidate in (schema, *(_parents(error))):
        text = _description(candidate)
        if text:
            return text
    return str(error.message)


def _parents(error: ValidationError) -> Iterator[dict[str, Any]]:
    parent = error.parent
    while parent is not None:
        if isinstance(parent.schema, dict):
            yield parent.schema
        parent = parent.parent


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def with_vocabulary(words: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The published schema with the vocabularies' ``words`` (``Vocabulary.words``)."""
    filled = copy.deepcopy(published_schema())
    for definition in filled["$defs"].values():
        field = definition.get("x-vocabulary")
        if field:
            listed = words.get(FIELDS.get(field, field), {})
            definition["enum"] = list(listed)
            definition["enumDescriptions"] = [label or word for word, label in listed.items()]
    return filled


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


#: The schema's vocabulary names → the ``Vocabulary`` fields they list.
FIELDS = {
    "event-class": "class:events",
    "entity-class": "class:entities",
    "source-class": "class:documents",
    "agreement-class": "class:agreements",
}
