"""Every setting, declared once with its default and help text.

Settings are read once, when the app or a command starts (``Settings.from_env`` plus
command-line overrides), and are never read again at request time.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "DIPLOGRAPH_"
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """The publisher's configuration; each field is documented in docs/configuration.md."""

    base_iri: str = _setting(
        "https://w3id.org/diplograph/",
        "Canonical base of every IRI the project mints (ends with '/').",
    )
    public_base: str | None = _setting(
        None,
        "If set, every output rewrites the canonical base to this URL so that a Linked Data "
        "client can follow IRIs on a local or staging server.",
    )
    allowed_hosts: str | None = _setting(
        None,
        "Comma-separated host names this server answers for (the Host header; the port is "
        "not compared, a leading dot allows subdomains: 'data.example.org,.example.net'); "
        "any other Host gets 400. Unset, any Host is answered, and without a public base "
        "the few absolute URLs in answers follow it.",
    )
    home: Path = _setting(
        PROJECT_ROOT / "var",
        "Directory that holds the releases and the 'current' pointer.",
    )
    release: Path | None = _setting(
        None,
        "Serve this release directory instead of the current one.",
    )
    host: str = _setting("127.0.0.1", "Address the server listens on.")
    port: int = _setting(8080, "Port the server listens on.")
    threads: int = _setting(
        16, "WSGI worker threads per server process (page and SPARQL requests in flight)."
    )
    processes: int = _setting(
        1,
        "Server processes answering HTTP on the one listening socket (at most one per core "
        "helps); they share the per-address limits, and each has its own sparql_workers.",
    )
    query_timeout: float = _setting(
        30.0, "Seconds a SPARQL query may run before its worker is killed (503)."
    )
    sparql_workers: int = _setting(
        3,
        "Worker processes that run SPARQL queries, each with the store open read-only (per "
        "server process).",
    )
    max_query_bytes: int = _setting(
        65536, "Largest accepted SPARQL query text, in bytes (413 above it)."
    )
    max_query_depth: int = _setting(
        64, "Deepest nesting of groups, brackets and sub-queries a query may have (400 above)."
    )
    max_result_rows: int = _setting(
        100000, "Result-row cap; truncated results are flagged in a header and a note."
    )
    per_client_queries: int = _setting(
        4,
        "SPARQL queries one client address may have in flight (429 above); at most half "
        "the workers (at least one) run them at once, so others find a worker.",
    )

    max_connections: int = _setting(
        1000,
        "Connections the server keeps open at once; more wait in the listen backlog.",
    )
    max_client_connections: int = _setting(
        20,
        "Open connections from one client address; one more is answered 429 and closed "
        "(the trusted proxy is exempt).",
    )
    request_timeout: float = _setting(
        10.0,
        "Seconds a client may take to send a whole request, headers and body, from its first "
        "byte (a new connection: from connecting); then 408 and the connection is closed.",
    )
    trusted_proxy: str | None = _setting(
        None,
        "Address of the reverse proxy in front of the server: only from it are "
        "X-Forwarded-For and X-Forwarded-Proto believed (the client's address for the "
        "per-client limits); from anyone else they are removed.",
    )
    document_cache_mb: int = _setting(
        64,
        "Megabytes of rendered documents (HTML, Turtle, JSON-LD…) each server process keeps, "
        "by their ETag, least recently used out first; 0 renders every request.",
    )
    sparql_endpoint: str | None = _setting(
        None,
        "Serve the release from this external engine's SPARQL 1.1 Protocol query endpoint "
        "(an http URL; the engine must hold this very release: docs/engines.md) instead of "
        "opening its store; SPARQL queries are then forwarded to the engine, sparql_workers "
        "at a time, and no query worker process is started.",
    )
    allow_networked_queries: bool = _setting(
        False,
        "Run SPARQL queries even where the query workers cannot isolate themselves from the "
        "network (Linux unshare refused, as in many containers); the query guard is then the "
        "only protection against outgoing requests. Off: such a server answers queries 503.",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then DIPLOGRAPH_* variables, then explicit overrides."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if not settings.base_iri.endswith("/"):
            raise ValueError(f"base_iri must end with '/': {settings.base_iri!r}")
        return settings

    def allowed_host_names(self) -> list[str]:
        """``allowed_hosts`` as a list (empty: any Host)."""
        return [h.strip().lower() for h in (self.allowed_hosts or "").split(",") if h.strip()]

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(f: dataclasses.Field[Any], raw: str) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if "Path" in kind:
        return Path(raw)
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    if kind.startswith("bool"):
        if raw.lower() not in BOOLEANS:
            raise ValueError(f"{ENV_PREFIX}{f.name.upper()} must be true or false, not {raw!r}")
        return BOOLEANS[raw.lower()]
    return raw


def documented_settings() -> list[tuple[str, Any, str]]:
    """Name, default and help of each setting, for the docs and their test."""
    return [(f.name, f.default, f.metadata["help"]) for f in fields(Settings)]
