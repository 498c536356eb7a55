"""The bundled reference implementation of Firehose SSE, with KMS, Kinesis, CloudWatch and S3.

Deterministic (virtual clock), wire-faithful (real boto3 clients through an in-process
transport), and independent of the conformance harness: usable on its own as an emulator.

This package's names are its public interface (the harness uses nothing else, besides the
vendored models in ``reference_impl.aws_models``):

- ``ReferenceCloud``: the reference in process (``variant=NAME`` runs one of its variants);
  ``CLIENT_CONFIG``, the botocore configuration its clients use; ``SERVICES``;
- ``variant_catalog()``: every variant (``Variant``, of a ``VariantKind``) by name;
- ``implemented_operations(service)``: the operations of the model snapshot it serves;
- ``Latency``: how long its asynchronous steps take (``Latency.named("aws")``, ``ReferenceCloud(
  latency=...)``, ``ServerOptions(latency=...)``); ``account_for``: which account an access key
  id acts in (12 digits: that account; else the default);
- ``ReferenceServer``, ``ServerOptions``, ``add_server_arguments``, ``server_options_from`` and
  ``serve``: the reference over HTTP.

Every name is imported on first use.
"""

from importlib import import_module
from typing import Any

# Each public name and the module that defines it, imported on first use: a harness that only
# reads the vendored models (``reference_impl.aws_models``) or talks to another target never
# pays for the cloud (about half a second) or the server (werkzeug).
_NAMES = {
    "account_for": ("reference_impl.accounts", "account_for"),
    "CLIENT_CONFIG": ("reference_impl.cloud", "CLIENT_CONFIG"),
    "SERVICES": ("reference_impl.cloud", "SERVICES"),
    "ReferenceCloud": ("reference_impl.cloud", "ReferenceCloud"),
    "implemented_operations": ("reference_impl.cloud", "implemented_operations"),
    "Latency": ("reference_impl.latency", "Latency"),
    "UnknownVariant": ("reference_impl.variants", "UnknownVariant"),
    "Variant": ("reference_impl.variants", "Variant"),
    "VariantKind": ("reference_impl.variants", "VariantKind"),
    "variant_catalog": ("reference_impl.variants", "catalog"),
    "ReferenceServer": ("reference_impl.wire.server", "ReferenceServer"),
    "ServerOptions": ("reference_impl.wire.server", "ServerOptions"),
    "add_server_arguments": ("reference_impl.wire.server", "add_arguments"),
    "server_options_from": ("reference_impl.wire.server", "options_from"),
    "serve": ("reference_impl.wire.server", "serve"),
}


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        module, attribute = _NAMES[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value  # once
        return value
    raise AttributeError(f"module 'reference_impl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))


__all__ = [
    "CLIENT_CONFIG",
    "SERVICES",
    "Latency",
    "ReferenceCloud",
    "ReferenceServer",
    "ServerOptions",
    "UnknownVariant",
    "Variant",
    "VariantKind",
    "account_for",
    "add_server_arguments",
    "implemented_operations",
    "serve",
    "server_options_from",
    "variant_catalog",
]
