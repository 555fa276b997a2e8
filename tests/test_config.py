"""Settings: declared once, read from the environment, and each one documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

from publisher.cli import main
from publisher.config import PROJECT_ROOT, Settings, documented_settings

DOCS = PROJECT_ROOT / "docs" / "configuration.md"


def documented_rows() -> dict[str, list[str]]:
    """The cells of docs/configuration.md's settings table, by setting name."""
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 4:
            rows[cells[0].strip("`")] = cells
    return rows


def shown(default: Any) -> str:
    """A default as the docs write it: ``none``, ``./var``, ``30``, ``false``."""
    if default is None:
        return "none"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, Path):
        return f"./{default.relative_to(PROJECT_ROOT)}"
    return f"{default:g}" if isinstance(default, float) else str(default)


def test_every_setting_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    missing = [name for name, _, _ in documented_settings() if f"`{name}`" not in docs]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_each_setting_row_gives_its_default_and_variable() -> None:
    rows = documented_rows()
    assert sorted(rows) == sorted(name for name, _, _ in documented_settings())
    for name, default, _ in documented_settings():
        _, stated, where, _ = rows[name]
        assert stated.strip("`") == shown(default), name
        assert f"`DIPLOGRAPH_{name.upper()}" in where, name


_SETTING_NAMES = {name for name, _, _ in documented_settings()}


def test_every_command_line_option_of_serve_is_documented() -> None:
    """Each option of ``diplograph serve`` (and the global ones) is in its setting's row."""
    rows = documented_rows()
    commands: list[tuple[str, click.Command]] = [("", main), ("serve ", main.commands["serve"])]
    for prefix, command in commands:
        for param in command.params:
            for option in (o for o in param.opts if o.startswith("--")):
                name = option[2:].replace("-", "_")
                if name not in _SETTING_NAMES:  # a switch of the command, not a setting
                    assert f"| `{option}` |" in DOCS.read_text(encoding="utf-8"), option
                    continue
                assert name in rows, f"{option} has no setting row in docs/configuration.md"
                assert f"`{prefix}{option}`" in rows[name][2], option


def test_environment_overrides_defaults_and_overrides_win() -> None:
    env = {
        "DIPLOGRAPH_PORT": "9999",
        "DIPLOGRAPH_QUERY_TIMEOUT": "2.5",
        "DIPLOGRAPH_HOME": "/tmp/x",
    }
    settings = Settings.from_env(environ=env, port=7000)
    assert settings.port == 7000
    assert settings.query_timeout == 2.5
    assert settings.home == Path("/tmp/x")


def test_base_iri_must_end_with_a_slash() -> None:
    with pytest.raises(ValueError, match="must end with '/'"):
        Settings.from_env(environ={}, base_iri="https://example.org/x")


def test_switches_read_true_and_false() -> None:
    assert not Settings.from_env(environ={}).allow_networked_queries
    on = {"DIPLOGRAPH_ALLOW_NETWORKED_QUERIES": "true"}
    assert Settings.from_env(environ=on).allow_networked_queries
    with pytest.raises(ValueError, match="true or false"):
        Settings.from_env(environ={"DIPLOGRAPH_ALLOW_NETWORKED_QUERIES": "maybe"})
