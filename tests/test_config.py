"""Settings: declared once, read from the environment, and each one documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.config import PROJECT_ROOT, Settings, documented_settings


def test_every_setting_is_documented() -> None:
    docs = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name, _, _ in documented_settings() if f"`{name}`" not in docs]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


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
