"""The errors KMS answers, with KMS's wire codes and (where known) AWS's own messages.

Messages quoted from AWS: "Key '<arn>' does not exist", "Invalid keyId '<id>'", "Alias <arn> is not
found.", "<arn> is disabled.", "<arn> is pending deletion.", "<arn> is pending import.", "<arn>
origin is <origin> which is not valid for this operation." (KMS-DG key-state footnotes [1]-[6]),
"The key ID in the request does not identify a CMK that can perform this operation.", the
AccessDenied texts, and an empty message for InvalidCiphertextException.
"""

from __future__ import annotations

from reference_impl.errors import AwsError


def key_not_found(arn: str) -> AwsError:
    return AwsError("NotFoundException", f"Key '{arn}' does not exist")


def invalid_key_id(value: str) -> AwsError:
    return AwsError("NotFoundException", f"Invalid keyId '{value}'")


def invalid_arn_region(region: str) -> AwsError:
    return AwsError("NotFoundException", f"Invalid arn {region}")


def alias_not_found(alias_arn: str) -> AwsError:
    return AwsError("NotFoundException", f"Alias {alias_arn} is not found.")


def disabled(arn: str) -> AwsError:
    return AwsError("DisabledException", f"{arn} is disabled.")


def pending_deletion(arn: str) -> AwsError:
    # KMS-DG footnotes [2] (DisabledException) and [3] (KMSInvalidStateException) both exist for
    # cryptographic operations on a key pending deletion. The reference always answers [3]
    # (AMB-13, AMB-02): it is the one KMS uses for every other pending-deletion refusal, and it
    # maps onto Firehose's KMSKeyInvalidState metric.
    return AwsError("KMSInvalidStateException", f"{arn} is pending deletion.")


def pending_import(arn: str) -> AwsError:
    # KMS-DG key-state footnote [5]: a key whose imported material is missing.
    return AwsError("KMSInvalidStateException", f"{arn} is pending import.")


def origin_not_valid(arn: str, origin: str) -> AwsError:
    # KMS-DG key-state footnotes [6] and [9]: the import operations on a key that cannot have
    # imported key material.
    return AwsError(
        "UnsupportedOperationException",
        f"{arn} origin is {origin} which is not valid for this operation.",
    )


def invalid_import_token(message: str) -> AwsError:
    return AwsError("InvalidImportTokenException", message)


def expired_import_token(arn: str) -> AwsError:
    return AwsError(
        "ExpiredImportTokenException",
        f"The import token for {arn} is expired. Use GetParametersForImport to get a new import "
        "token and public key.",
    )


def incorrect_key_material(message: str) -> AwsError:
    return AwsError("IncorrectKeyMaterialException", message)


def unwrappable_key_material() -> AwsError:
    # InvalidCiphertextException doc: "From the ImportKeyMaterial operation, the request was
    # rejected because KMS could not decrypt the encrypted (wrapped) key material."
    return AwsError(
        "InvalidCiphertextException",
        "KMS could not decrypt the encrypted (wrapped) key material with the private key of the "
        "import token's wrapping key pair and its wrapping algorithm.",
    )


def key_material_not_found(key_material_id: str, arn: str) -> AwsError:
    return AwsError(
        "NotFoundException", f"Key material {key_material_id} is not associated with {arn}."
    )


def not_pending_deletion(arn: str) -> AwsError:
    return AwsError("KMSInvalidStateException", f"{arn} is not pending deletion.")


def access_denied(caller: str, operation: str, arn: str, *, explicit: bool) -> AwsError:
    action = f"kms:{operation}"
    reason = (
        "with an explicit deny in a resource-based policy"
        if explicit
        else f"because no resource-based policy allows the {action} action"
    )
    # Not modelled in the KMS service model (reference_impl.aws_models), but it is what KMS
    # answers (HTTP 400).
    return AwsError(
        "AccessDeniedException",
        f"User: {caller} is not authorized to perform: {action} on resource: {arn} {reason}",
    )


def invalid_key_usage(message: str) -> AwsError:
    return AwsError("InvalidKeyUsageException", message)


def usage_not_valid(arn: str, usage: str, operation: str) -> AwsError:
    return invalid_key_usage(f"{arn} key usage is {usage} which is not valid for {operation}.")


def algorithm_incompatible(algorithm: str, spec: str) -> AwsError:
    return invalid_key_usage(f"Algorithm {algorithm} is incompatible with key spec {spec}.")


def invalid_ciphertext() -> AwsError:
    return AwsError("InvalidCiphertextException", "")


def incorrect_key() -> AwsError:
    return AwsError(
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocumentException", message)


def unsupported(message: str) -> AwsError:
    return AwsError("UnsupportedOperationException", message)


def dry_run() -> AwsError:
    return AwsError(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )


def invalid_marker() -> AwsError:
    return AwsError("InvalidMarkerException", "The marker is not valid.")


def invalid_grant_token() -> AwsError:
    return AwsError("InvalidGrantTokenException", "The grant token is not valid.")


def grant_not_found(grant_id: str) -> AwsError:
    return AwsError("NotFoundException", f"Grant ID {grant_id} not found.")


def invalid_grant_id(grant_id: str) -> AwsError:
    return AwsError("InvalidGrantIdException", f"Invalid grant ID {grant_id}.")
