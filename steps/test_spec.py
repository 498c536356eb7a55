"""Binds every scenario of the spec (pytest-bdd needs a test module to hang them on): the feature
files of features/, or of firehose_conformance/spec/ in an installed wheel."""

from pytest_bdd import scenarios

from firehose_conformance.catalog import FEATURES

scenarios(str(FEATURES))
