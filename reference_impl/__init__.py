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
  ``serve``: the reference over HTTP (imported on first use: they need werkzeug).
"""

from typing import Any

from reference_impl.accounts import account_for
from reference_impl.cloud import CLIENT_CONFIG, SERVICES, ReferenceCloud, implemented_operations
from reference_impl.latency import Latency
from reference_impl.variants import UnknownVariant, Variant, VariantKind
from reference_impl.variants import catalog as variant_catalog

_SERVER_NAMES = {
    "ReferenceServer": "ReferenceServer",
    "ServerOptions": "ServerOptions",
    "add_server_arguments": "add_arguments",
    "server_options_from": "options_from",
    "serve": "serve",
}


def __getattr__(name: str) -> Any:
    """The server's names, imported only when asked for (werkzeug costs a tenth of a second)."""
    if name in _SERVER_NAMES:
        from reference_impl.wire import server

        return getattr(server, _SERVER_NAMES[name])
    raise AttributeError(f"module 'reference_impl' has no attribute {name!r}")


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
