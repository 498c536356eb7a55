"""The spec's data, installed as ``firehose_conformance.spec``: the feature files, the requirement
catalog (requirements.toml), the ambiguities, the sources (with the vendored seed document) and
the state machines. Code finds them through ``importlib.resources``, never by a path of its own:
``firehose_conformance.catalog.FEATURES``."""
