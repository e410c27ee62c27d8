"""The TOML literals ``access init`` writes (khepri_db/access/_init_toml.py) read back as the values
they were made from, for every character TOML's basic strings can hold, DEL (U+007F) included: TOML
requires it escaped, and the JSON escapes written before tomlkit left it raw (an unreadable file)."""

from __future__ import annotations

import tomllib

from khepri_db.access._init_toml import toml_key, toml_value


def test_every_character_reads_back_in_a_value_and_a_key() -> None:
    characters = [chr(c) for c in range(0x3000) if not 0xD800 <= c < 0xE000]
    text = "".join(characters)
    document = f"{toml_key(text)} = {toml_value({'all': text, 'each': characters})}"
    assert tomllib.loads(document) == {text: {"all": text, "each": characters}}


def test_a_delete_character_is_escaped() -> None:
    value = "a\x7fb"
    assert toml_value(value) == '"a\\u007fb"'
    assert tomllib.loads("v = " + toml_value(value))["v"] == value


def test_inline_tables_keep_the_layout_of_the_files_written_so_far() -> None:
    assert toml_value({"row": {"user_id": "{user.id}", "n": 1}, "allow": []}) == (
        '{ row = { user_id = "{user.id}", n = 1 }, allow = [] }'
    )
    assert toml_value({}) == "{}"
