"""The KMS model: keys, aliases, key policies, grants and real cryptography, in one account/Region.

Python interface for the other models (stable: Firehose and Kinesis call exactly these names)
-------------------------------------------------------------------------------------------
Every ``key_id`` below accepts a key id, a key ARN, an alias name ("alias/x") or an alias ARN.
Every error is an ``AwsError`` carrying KMS's wire code: NotFoundException, DisabledException,
KMSInvalidStateException (a key pending deletion, AMB-13, or pending import),
AccessDeniedException, InvalidKeyUsageException, InvalidCiphertextException,
IncorrectKeyException, ValidationException.

- ``resolve(key_id) -> Key`` and ``describe(key_id) -> Key``: the key (no authorisation check).
  ``Key`` has ``key_id``, ``arn``, ``spec``, ``usage``, ``state`` ("Enabled" | "Disabled" |
  "PendingDeletion" | "PendingImport", a str enum) and ``is_symmetric_encryption``
  (SYMMETRIC_DEFAULT + ENCRYPT_DECRYPT, the only keys AWS services encrypt data with: KEY-02).
- ``key_arn(key_id) -> str``; ``keys() -> list[Key]``: every key, oldest first.
- ``create_grant(key_id, *, caller, grantee_principal, operations, retiring_principal=None,
  name=None) -> Grant`` (``grant_id``, ``token``, ``key_arn``, ``grantee_principal``,
  ``operations``, ``retiring_principal``, ``name``). A grant for a service principal takes
  ``grantee_service_principal`` (and ``retiring_service_principal``) in place of the principal.
- ``retire_grant(key_id, grant_id, *, caller)``; ``revoke_grant(key_id, grant_id, *, caller)``;
  ``grants(key_id) -> list[Grant]``; ``list_grants`` and ``list_retirable_grants`` as a service
  principal calls them (their service-principal filters are refused on the wire).
- ``generate_data_key(key_id, *, caller, encryption_context=None) -> DataKey`` (``plaintext``:
  32 bytes, ``ciphertext_blob``, ``key_arn``).
- ``encrypt(key_id, plaintext, *, caller, encryption_context=None) -> bytes``.
- ``decrypt(ciphertext_blob, *, caller, key_id=None, encryption_context=None) -> (plaintext,
  key ARN)``. A blob whose key no longer exists answers NotFoundException.
- ``check_usable(key_id, *, caller, operation="GenerateDataKey", encryption_context=None)``:
  raises exactly what that operation would raise, without doing any cryptography.
- ``delete_key_now(key_id)``: the key vanishes at once, as when its deletion window passes.

A grant may be retired by its retiring principal, by its grantee if it lists RetireGrant, or by
an IAM principal of the issuing account; revoking needs kms:RevokeGrant in the key policy. A
predefined "alias/aws/<service>" names an AWS managed key, created on first reference, that only
"<service>.amazonaws.com" may use (its policy requires kms:ViaService).

Callers. ``caller`` is a principal: an IAM ARN (the wire API uses ``account_root(account)``) or a
service principal ("firehose.amazonaws.com"). A service creates its grant as the API caller did
(the account root: AWS services call CreateGrant with the caller's credentials, GRT-04) and then
uses the key as its service principal, which the default key policy does not name, so only that
grant lets it in; revoking the grant takes it away, and a key-policy Deny for the service beats
the grant (access.py). Checks run in the order: key exists -> authorisation -> key state -> key
usage -> ciphertext.

Layout: ``KmsModel`` holds one ``KeyRegistry`` (key_registry.py: the keys, aliases and grants,
identifier resolution, authorisation, removal) and the services that act on it, each in the
module of its name: ``key_service`` (keys, deletion, tags), ``alias_service``, ``policy_service``,
``grant_service``, ``crypto_service`` and ``import_service`` (imported key material). The Python
interface above is theirs, named here; the wire layer (api.py) calls the services.
"""

from __future__ import annotations

from reference_impl.clock import VirtualClock
from reference_impl.kms.alias_service import AliasService
from reference_impl.kms.crypto_service import CryptoService, DataKey
from reference_impl.kms.grant_service import GrantService
from reference_impl.kms.import_service import ImportService
from reference_impl.kms.key import KeyState
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.key_service import KeyService
from reference_impl.kms.policy_service import PolicyService
from reference_impl.principals import account_root


class KmsModel:
    """KMS in one account and Region: a registry of keys and the services that act on it."""

    def __init__(self, clock: VirtualClock, account_id: str, region: str) -> None:
        self.clock = clock
        self.account_id = account_id
        self.region = region
        registry = self.registry = KeyRegistry(clock, account_id, region)
        self.key_service = KeyService(registry)
        self.alias_service = AliasService(registry)
        self.policy_service = PolicyService(registry)
        self.grant_service = GrantService(registry)
        self.crypto_service = CryptoService(registry)
        self.import_service = ImportService(registry)
        # The Python interface of the other models (above), each name served by one part.
        self.resolve = registry.resolve
        self.describe = registry.describe
        self.key_arn = registry.key_arn
        self.keys = registry.keys
        self.delete_key_now = self.key_service.delete_key_now
        self.create_grant = self.grant_service.create_grant
        self.retire_grant = self.grant_service.retire_grant
        self.revoke_grant = self.grant_service.revoke_grant
        self.grants = self.grant_service.grants
        self.list_grants = self.grant_service.list_grants
        self.list_retirable_grants = self.grant_service.list_retirable_grants
        self.generate_data_key = self.crypto_service.generate_data_key
        self.encrypt = self.crypto_service.encrypt
        self.decrypt = self.crypto_service.decrypt
        self.check_usable = self.crypto_service.check_usable

    @property
    def api_caller(self) -> str:
        """Every wire API call is made by the account's root principal."""
        return account_root(self.account_id)


__all__ = ["DataKey", "KeyState", "KmsModel"]
