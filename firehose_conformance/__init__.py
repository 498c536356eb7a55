"""Conformance harness for Amazon Data Firehose server-side encryption."""

from importlib import metadata

try:
    __version__ = metadata.version("firehose-sse-conformance")
except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
