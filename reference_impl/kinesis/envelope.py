"""Record encryption at rest: AES-256-GCM under a KMS data key (KDS-DG what-is-sse, SRC-03).

The additional authenticated data binds each ciphertext to its stream and sequence number, so
a stored record cannot be moved to another place in storage and still decrypt.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def _aad(stream_arn: str, sequence_number: str) -> bytes:
    return f"{stream_arn}\n{sequence_number}".encode()


def seal(
    data_key: bytes, plaintext: bytes, stream_arn: str, sequence_number: str
) -> tuple[bytes, bytes]:
    """(nonce, ciphertext with tag)."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _aad(stream_arn, sequence_number))
    return nonce, ciphertext


def open_sealed(
    data_key: bytes, nonce: bytes, ciphertext: bytes, stream_arn: str, sequence_number: str
) -> bytes:
    """The plaintext; raises cryptography's InvalidTag if anything was tampered with."""
    return AESGCM(data_key).decrypt(nonce, ciphertext, _aad(stream_arn, sequence_number))
