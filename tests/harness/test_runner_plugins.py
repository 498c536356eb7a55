"""A suite run loads only the pytest plugins it needs (runner.foreign_plugins)."""

from __future__ import annotations

import importlib.metadata

import pytest

from firehose_conformance.runner import SUITE_PLUGINS, Selection, foreign_plugins, run_suite


class PluginsSeen:
    def __init__(self) -> None:
        self.names: set[str] = set()

    def pytest_configure(self, config: pytest.Config) -> None:
        manager = config.pluginmanager
        self.names = {name for name, plugin in manager.list_name_plugin() if plugin is not None}


def test_every_installed_plugin_but_the_suite_s_is_blocked() -> None:
    installed = {e.name for e in importlib.metadata.entry_points(group="pytest11")}
    blocked = foreign_plugins()
    assert blocked[::2] == ["-p"] * (len(blocked) // 2)
    assert {arg.removeprefix("no:") for arg in blocked[1::2]} == installed - SUITE_PLUGINS
    assert "hypothesispytest" in installed  # the dev extra brings one: the check above bites


def test_a_run_has_pytest_bdd_but_not_a_foreign_plugin() -> None:
    seen = PluginsSeen()
    run_suite(selection=Selection.requirements(["API-04"]), plugins=[seen])
    assert seen.names, "the plugin saw no configuration"
    assert "pytest-bdd" in seen.names
    assert "hypothesispytest" not in seen.names
