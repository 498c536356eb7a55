"""Binds every scenario under features/ (pytest-bdd needs a test module to hang them on)."""

from pytest_bdd import scenarios

scenarios("../features")
