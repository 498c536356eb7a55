"""Step definitions: parse, call the target, assert. Nothing here knows which target runs.

One module per subject (streams, encryption_calls, encryption_status, keys, puts, delivery,
kinesis, metrics, api_rules, common). A phrase several steps share is a type in ``phrases``, so
it is parsed once; every module is star-imported into ``conftest``, where pytest-bdd finds it.
"""
