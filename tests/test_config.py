"""The config file: every setting documented with its default, bad values refused with a reason."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, iter_settings, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent


def test_config_toml_lists_every_setting_with_its_default_and_a_comment() -> None:
    text = (ROOT / "config.toml").read_text()
    data = tomllib.loads(text)
    lines = text.splitlines()
    for key, default, help_text in iter_settings():
        section, name = key.split(".")
        assert name in data.get(section, {}), f"{key} missing from config.toml"
        assert data[section][name] == default, f"{key}: config.toml has {data[section][name]!r}"
        idx = next(i for i, line in enumerate(lines) if line.startswith(f"{name} ="))
        assert lines[idx - 1].startswith("#"), f"{key} has no comment line"
        assert help_text, f"{key} has no help text"


def test_shipped_config_loads_to_defaults() -> None:
    assert load_config(ROOT / "config.toml") == Config()


def test_missing_default_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config() == Config()


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            {"fetch": {"max_redirects": 50}},
            "fetch.max_redirects = 50 is not allowed; expected a whole number from 0 to 20",
        ),
        ({"fetch": {"max_redirects": "5"}}, "fetch.max_redirects = '5'"),
        ({"fetch": {"allow_private_networks": "yes"}}, "expected true or false"),
        ({"fetch": {"total_timeout": -1}}, "fetch.total_timeout = -1"),
        ({"fetch": {"nonsense": 1}}, "unknown key fetch.nonsense"),
        ({"fetchh": {}}, "unknown key fetchh"),
        ({"fetch": 3}, "fetch must be a table"),
        ({"discord": {"quote_channels": ["general"]}}, "a list of whole numbers"),
    ],
)
def test_bad_values_name_key_value_and_what_is_allowed(
    data: dict[str, object], needle: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert needle in str(info.value)


def test_bad_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[fetch\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERBATIM_TEST_SECRET", " abc ")
    assert Config().secret("VERBATIM_TEST_SECRET") == "abc"
    monkeypatch.delenv("VERBATIM_TEST_SECRET")
    assert Config().secret("VERBATIM_TEST_SECRET") is None
