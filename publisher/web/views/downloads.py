"""Bulk downloads: ``/downloads/`` (listing), ``SHA256SUMS`` and the dump files themselves.

The files are written by the build; here they are only streamed from disk. A name is served
only if the release's ``index.json`` lists it and a release id only if it is a published
release, so no request path is ever joined to a directory: ``..``, ``%2e%2e``, ``%2f``,
backslashes and absolute paths cannot match and answer 404.

``.gz`` files are served as they are stored, with ``Content-Type: application/gzip`` and no
``Content-Encoding``: with ``Content-Encoding: gzip`` clients would decompress transparently
and the bytes saved would no longer match the published SHA-256.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, render_template, send_file

from publisher.formats import HTML, JSON, RDF_FORMATS, Format
from publisher.release.catalogue import DumpFile, dataset_statistics, read_index, sha256sums
from publisher.release.layout import Release, list_releases
from publisher.web import http
from publisher.web.errors import NotAcceptable, NotFound
from publisher.web.pages.names import human_time
from publisher.web.state import get_release, get_settings
from publisher.web.views.dataset import void_rdf

bp = Blueprint("downloads", __name__)

LISTING_FORMATS: tuple[Format, ...] = (HTML, JSON, *RDF_FORMATS)
LATEST_MAX_AGE = http.MAX_AGE  # a "latest" URL changes with each release
RELEASE_MAX_AGE = 365 * 24 * 3600  # a per-release URL never changes
# Any web page may fetch the dumps (they are open data), and see what it got.
http.allow_cross_origin(bp, expose=("Content-Length", "Content-Range", "ETag", "Last-Modified"))


def _release(release_id: str | None) -> Release:
    """The served release, or a published one named exactly by ``release_id``."""
    served = get_release()
    if release_id is None or release_id == served.id:
        return served
    for release in list_releases(get_settings().home):
        if release.id == release_id:
            return release
    raise NotFound(f"There is no release {release_id!r}; see /downloads/ for the current one.")


def _file(release: Release, name: str) -> DumpFile:
    for dump in read_index(release.dumps_path):
        if dump.name == name:
            return dump
    raise NotFound(f"Release {release.id} has no file {name!r}; /downloads/ lists them.")


def _send(release: Release, dump: DumpFile, *, pinned: bool) -> Response:
    path = release.dumps_path / dump.name
    if path.parent != release.dumps_path or not path.is_file():  # belt and braces
        raise NotFound(f"Release {release.id} has no file {dump.name!r}.")
    response = send_file(
        path,
        mimetype=dump.content_type,
        conditional=True,
        etag=dump.sha256,
        last_modified=path.stat().st_mtime,
        max_age=RELEASE_MAX_AGE if pinned else LATEST_MAX_AGE,
    )
    response.headers.pop("Content-Encoding", None)
    if pinned:
        response.cache_control.immutable = True
    return response


@bp.get("/downloads/<name>", merge_slashes=False)
@bp.get("/downloads/<release_id>/<name>", merge_slashes=False)
def dump_file(name: str, release_id: str | None = None) -> Response:
    """A file of the served release (the stable "latest" URL) or of one named release,
    whose bytes never change, so it may be cached for good."""
    release = _release(release_id)
    return _send(release, _file(release, name), pinned=release_id is not None)


@bp.get("/downloads/SHA256SUMS", merge_slashes=False)
@bp.get("/downloads/<release_id>/SHA256SUMS", merge_slashes=False)
def sums(release_id: str | None = None) -> Response:
    return _sums(_release(release_id), pinned=release_id is not None)


def _sums(release: Release, *, pinned: bool) -> Response:
    """``SHA256SUMS`` of a release, made from its index (the same text the build wrote)."""
    files = read_index(release.dumps_path)
    if not files:
        raise NotFound(f"Release {release.id} has no dumps.")
    response = Response(sha256sums(files), mimetype="text/plain")
    max_age = RELEASE_MAX_AGE if pinned else LATEST_MAX_AGE
    return http.conditional(response, http.etag(release.id), max_age=max_age)


@bp.get("/downloads/", merge_slashes=False)
@bp.get("/downloads/<release_id>/", merge_slashes=False)
def listing(release_id: str | None = None) -> Response:
    return _listing(_release(release_id), pinned=release_id is not None)


def _listing(release: Release, *, pinned: bool) -> Response:
    """The files of a release, as an HTML page, JSON, or RDF (the VoID/DCAT description)."""
    fmt = http.negotiate(LISTING_FORMATS)
    if fmt is HTML:
        listing = listing_data(release, pinned=pinned)
        response = Response(render_template("downloads.html", **listing), mimetype=HTML.media_type)
    elif fmt is JSON:
        response = jsonify(listing_data(release, pinned=pinned))
    elif release.id != get_release().id:
        raise NotAcceptable(
            f"RDF is offered for the served release only; ask /downloads/{release.id}/ "
            "for HTML or JSON."
        )
    else:
        response = Response(void_rdf(fmt), mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    # the listing's URLs are absolute, on the public base or else on the Host: the origin
    # is part of what the bytes depend on
    return http.conditional(response, http.etag(release.id, fmt.name, http.public_origin()))


def listing_data(release: Release, *, pinned: bool = False) -> dict[str, Any]:
    """What the HTML and JSON listings show: files with URLs, checksums and the statistics."""
    files = []
    for dump in read_index(release.dumps_path):
        entry = asdict(dump)
        latest = http.absolute(f"downloads/{quote(dump.name)}")
        pinned_url = http.absolute(f"downloads/{quote(release.id)}/{quote(dump.name)}")
        entry.update(
            url=pinned_url if pinned else latest,
            release_url=pinned_url,
            content_type=dump.content_type,
            rdf=dump.is_rdf,
        )
        files.append(entry)
    stats = dataset_statistics(release)
    created = stats.get("created")
    return {
        "release": release.id,
        "created": created,
        "created_date": human_time(created) if created else None,
        "latest": release.id == get_release().id,
        "files": files,
        "sha256sums": http.absolute(
            f"downloads/{quote(release.id)}/SHA256SUMS" if pinned else "downloads/SHA256SUMS"
        ),
        "statistics": {k: v for k, v in stats.items() if k not in ("release", "created")},
    }
