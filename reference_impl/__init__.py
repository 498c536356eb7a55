"""The bundled reference implementation of Firehose SSE, with KMS, Kinesis, CloudWatch and S3.

Deterministic (virtual clock), wire-faithful (real boto3 clients through an in-process
transport), and independent of the conformance harness: usable on its own as an emulator.
"""

from reference_impl.cloud import ReferenceCloud

__all__ = ["ReferenceCloud"]
