"""settings: defaults, TOML file, --set overrides, clear errors."""

from __future__ import annotations

import pytest

from ava_detect.errors import ConfigError
from ava_detect.settings import Settings, parse_assignment


def test_toml_file_then_set_override(tmp_path):
    config = tmp_path / "ava.toml"
    config.write_text(
        'checks = ["lipsync"]\nanalysis_max_side = 960\n[lipsync]\ntolerance_standard = "ebu_r37"\n'
    )
    settings = Settings.from_toml(config)
    assert settings.checks == ("lipsync",)
    assert settings.analysis_max_side == 960
    assert settings.lipsync.tolerance_standard == "ebu_r37"
    settings = settings.with_overrides(parse_assignment("analysis_max_side=640"))
    assert settings.analysis_max_side == 640
    assert settings.digest() != Settings().digest()
    assert Settings().digest() == Settings().digest()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"no_such": 1}, "unknown setting 'no_such'"),
        ({"lipsync": {"nope": 1}}, "unknown setting 'lipsync.nope'"),
        ({"analysis_max_side": "big"}, "must be int"),
        ({"checks": ["faces"]}, "unknown check"),
    ],
)
def test_bad_settings_say_what_is_wrong(overrides, message):
    with pytest.raises(ConfigError, match=message):
        Settings().with_overrides(overrides)


def test_invalid_toml_is_a_config_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("checks = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.from_toml(bad)
