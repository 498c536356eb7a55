"""Real cryptography behind the keys: AES-256-GCM for symmetric keys, RSA-OAEP for RSA keys.

A symmetric ciphertext blob is self-describing, as KMS's is, so Decrypt works without a KeyId:

    magic "RKM1" (4 bytes) | key id (36 ASCII bytes) | nonce (12 bytes) | AES-GCM ciphertext + tag

The associated data is the header (magic + key id) followed by the canonical JSON of the
encryption context, so a wrong context, a changed key id or any flipped bit fails authentication.
RSA ciphertexts are raw RSAES-OAEP output, as KMS returns them (not self-describing: Decrypt needs
the KeyId and the algorithm). Key material never leaves this module's objects.

Imported key material (Origin EXTERNAL) arrives wrapped under the public half of a
``WrappingKeyPair`` (GetParametersForImport) and becomes the secret of a ``SymmetricMaterial``;
the key keeps only its fingerprint (``material_id``) once the material is deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"RKM1"
KEY_ID_LENGTH = 36
NONCE_LENGTH = 12
TAG_LENGTH = 16
HEADER_LENGTH = len(MAGIC) + KEY_ID_LENGTH
MIN_BLOB_LENGTH = HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH


class CiphertextError(Exception):
    """The blob is not one of ours, or it does not authenticate."""


def canonical_context(encryption_context: dict[str, str] | None) -> bytes:
    """Sorted-key compact JSON; no context and an empty context are the same (as in KMS)."""
    if not encryption_context:
        return b""
    # ASCII escapes keep the form canonical for any string, lone surrogates included.
    return json.dumps(encryption_context, sort_keys=True, separators=(",", ":")).encode("ascii")


def blob_key_id(blob: bytes) -> str:
    """The key id a symmetric blob names; raises CiphertextError if it is not one of ours."""
    if len(blob) < MIN_BLOB_LENGTH or not blob.startswith(MAGIC):
        raise CiphertextError("not a reference KMS ciphertext")
    try:
        return blob[len(MAGIC) : HEADER_LENGTH].decode("ascii")
    except UnicodeDecodeError:
        raise CiphertextError("bad key id in header") from None


@dataclass(eq=False)
class SymmetricMaterial:
    """256 bits from os.urandom, used with AES-256-GCM."""

    secret: bytes = field(default_factory=lambda: os.urandom(32), repr=False)

    def seal(
        self, key_id: str, plaintext: bytes, encryption_context: dict[str, str] | None
    ) -> bytes:
        header = MAGIC + key_id.encode("ascii")
        nonce = os.urandom(NONCE_LENGTH)
        aad = header + canonical_context(encryption_context)
        return header + nonce + AESGCM(self.secret).encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, encryption_context: dict[str, str] | None) -> bytes:
        header = blob[:HEADER_LENGTH]
        nonce = blob[HEADER_LENGTH : HEADER_LENGTH + NONCE_LENGTH]
        aad = header + canonical_context(encryption_context)
        try:
            return AESGCM(self.secret).decrypt(nonce, blob[HEADER_LENGTH + NONCE_LENGTH :], aad)
        except InvalidTag:
            raise CiphertextError("authentication failed") from None

    def material_id(self, key_id: str) -> str:
        """The key material id of imported material: "KMS assigns a unique identifier to the key
        material based on the KMS key ID and the imported key material" (BC-KMS
        ImportKeyMaterial KeyMaterialId); 64 hex digits, as BackingKeyIdType requires."""
        digest = hashlib.sha256(b"reference-kms imported key material\0")
        digest.update(key_id.encode("ascii") + b"\0" + self.secret)
        return digest.hexdigest()


_OAEP_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


def oaep_max_plaintext(bits: int, algorithm: str) -> int:
    """The largest plaintext RSAES-OAEP can take: k - 2*hLen - 2 bytes."""
    return bits // 8 - 2 * _OAEP_HASHES[algorithm].digest_size - 2


@dataclass(eq=False)
class RsaMaterial:
    """An RSA private key generated on first use: RSA_4096 takes about a second to generate,
    and CreateKey must stay fast."""

    bits: int
    _private: rsa.RSAPrivateKey | None = field(default=None, repr=False)

    def _key(self) -> rsa.RSAPrivateKey:
        if self._private is None:
            self._private = rsa.generate_private_key(public_exponent=65537, key_size=self.bits)
        return self._private

    @staticmethod
    def _padding(algorithm: str) -> padding.OAEP:
        digest = _OAEP_HASHES[algorithm]
        return padding.OAEP(mgf=padding.MGF1(algorithm=digest()), algorithm=digest(), label=None)

    def seal(self, plaintext: bytes, algorithm: str) -> bytes:
        return self._key().public_key().encrypt(plaintext, self._padding(algorithm))

    def open(self, blob: bytes, algorithm: str) -> bytes:
        try:
            return self._key().decrypt(blob, self._padding(algorithm))
        except ValueError:
            raise CiphertextError("RSA decryption failed") from None


@dataclass(eq=False)
class WrappingKeyPair:
    """The RSA key pair GetParametersForImport hands out the public half of: key material
    arrives encrypted under it with RSAES-OAEP (SHA-1 or SHA-256)."""

    bits: int
    algorithm: str
    _private: rsa.RSAPrivateKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=self.bits)

    def public_key_der(self) -> bytes:
        """DER-encoded X.509 SubjectPublicKeyInfo, the form of GetParametersForImport's
        PublicKey (and GetPublicKey's)."""
        return self._private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return self._private.decrypt(wrapped, RsaMaterial._padding(self.algorithm))
        except ValueError:
            raise CiphertextError("the wrapped key material does not decrypt") from None


@dataclass(eq=False)
class NoMaterial:
    """Signing, MAC, key-agreement, ML-KEM and SM2 keys: no operation of the reference uses their
    material (it implements neither GetPublicKey nor Sign, GenerateMac, DeriveSharedSecret,
    Encapsulate or Decapsulate), so none is generated and none is pretended. Also a key of Origin
    EXTERNAL while it has no imported material."""


KeyMaterial = SymmetricMaterial | RsaMaterial | NoMaterial
