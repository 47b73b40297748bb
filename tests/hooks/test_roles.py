"""The hooks' copy of the default configuration equals the CLI's."""

from __future__ import annotations

from cc_pack_hooks import roles


def test_default_config_copy_matches_the_cli():
    from cc_pack.config import Config, compile_config

    assert compile_config(Config()) == roles.DEFAULT_CONFIG
