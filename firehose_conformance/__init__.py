"""Conformance harness for Amazon Data Firehose server-side encryption."""
