"""Step definitions: parse, call the target, assert. Nothing here knows which target runs."""
