"""AWS JSON 1.1 ``TrentService``: KMS wire parameters in, a model call, KMS wire output out.

Params arrive already validated against the input shapes of the vendored model snapshot
(reference_impl.aws_models, through json_protocol.py); this layer holds only the rules that are
about the wire: which operations accept alias names (only those whose KeyId doc lists "Alias name":
DescribeKey, Encrypt, Decrypt, GenerateDataKey*, ReEncrypt), the PolicyName "default", the either/or
parameters, DryRun. Every call is made by the account's root principal (``account_root``).

Service principals (GranteeServicePrincipal, RetiringServicePrincipal). A grant for a service
principal is honoured with its documented rules (CreateGrant). The ListGrants and
ListRetirableGrants filters by service principal are "only usable by callers in a service
principal"; a wire caller of the reference never is one, so they answer ValidationException
(chosen over AccessDeniedException: no key policy or IAM policy could allow them to an IAM
principal, so the request itself is invalid for its caller, which is what KMS's
ValidationException says of other parameter combinations it cannot take).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reference_impl.errors import AwsError
from reference_impl.kms import faults, identifiers
from reference_impl.kms.access import is_service_principal
from reference_impl.kms.grant import Grant, GrantConstraints
from reference_impl.kms.key import Origin
from reference_impl.kms.model import KmsModel
from reference_impl.kms.paging import page_output
from reference_impl.kms.specs import SYMMETRIC_DEFAULT

Params = dict[str, Any]
DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}
DEFAULT_POLICY_NAME = "default"


def _key_id_only(value: str) -> str:
    """Operations whose KeyId doc says "Specify the key ID or key ARN": aliases are not keys."""
    if identifiers.parse(value).is_alias:
        raise faults.invalid_key_id(value)
    return value


def _tags(raw: list[dict[str, str]] | None) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in raw or []:
        if tag["TagKey"] in tags:
            raise AwsError("TagException", f"Duplicate tag key {tag['TagKey']}.")
        tags[tag["TagKey"]] = tag["TagValue"]
    return tags


def _constraints(raw: Params | None) -> GrantConstraints | None:
    if not raw:
        return None
    subset = raw.get("EncryptionContextSubset")
    equals = raw.get("EncryptionContextEquals")
    source_arn = raw.get("SourceArn")
    if subset is None and equals is None and source_arn is None:
        return None
    return GrantConstraints(subset=subset, equals=equals, source_arn=source_arn)


def _one_of(params: Params, first: str, second: str, *, required: bool) -> None:
    """The "either ... or ..., but not both" rules of the principal parameters."""
    given = [name for name in (first, second) if params.get(name) is not None]
    if len(given) == 2 or (required and not given):
        must = "must" if required else "can"
        raise faults.validation(f"You {must} specify either {first} or {second}, but not both.")


def _grant_principals(params: Params) -> None:
    """CreateGrant GranteePrincipal / GranteeServicePrincipal / RetiringPrincipal docs."""
    _one_of(params, "GranteePrincipal", "GranteeServicePrincipal", required=True)
    _one_of(params, "RetiringPrincipal", "RetiringServicePrincipal", required=False)
    if params.get("GranteeServicePrincipal") is None:
        return
    # "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant
    # constraint. In addition, you must specify either a RetiringPrincipal or a
    # RetiringServicePrincipal."
    if (params.get("Constraints") or {}).get("SourceArn") is None:
        raise faults.validation(
            "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant "
            "constraint."
        )
    if params.get("RetiringPrincipal") is None and params.get("RetiringServicePrincipal") is None:
        raise faults.validation(
            "When you specify a GranteeServicePrincipal, you must also specify either a "
            "RetiringPrincipal or a RetiringServicePrincipal."
        )


def _grant_page(grants: list[Grant], next_marker: str | None) -> Params:
    return page_output("Grants", [g.wire() for g in grants], next_marker)


class KmsApi:
    def __init__(self, model: KmsModel) -> None:
        self.model = model

    @property
    def caller(self) -> str:
        return self.model.api_caller

    def _service_principal_filter(self, params: Params, member: str) -> str | None:
        value = params.get(member)
        if value is not None and not is_service_principal(self.caller):
            raise faults.validation(
                f"The {member} filter is only usable by callers in a service principal; "
                f"{self.caller} is not one."
            )
        return value

    def _dry_run(self, params: Params) -> None:
        if params.get("DryRun"):
            raise faults.dry_run()

    # ---------------------------------------------------------------- keys

    def create_key(self, params: Params) -> Params:
        spec = params.get("KeySpec")
        legacy = params.get("CustomerMasterKeySpec")
        if spec is not None and legacy is not None and spec != legacy:
            raise faults.validation(
                "You cannot specify both KeySpec and CustomerMasterKeySpec with different values."
            )
        origin = params.get("Origin", "AWS_KMS")
        if origin not in {o.value for o in Origin} or (
            "CustomKeyStoreId" in params or "XksKeyId" in params
        ):
            raise faults.unsupported(
                "The reference implementation creates only keys with Origin AWS_KMS or EXTERNAL "
                "(no custom key stores)."
            )
        if params.get("MultiRegion"):
            raise faults.unsupported(
                "The reference implementation creates only single-Region keys (MultiRegion false)."
            )
        key = self.model.key_service.create_key(
            caller=self.caller,
            key_spec=spec or legacy,
            key_usage=params.get("KeyUsage"),
            description=params.get("Description", ""),
            policy=params.get("Policy"),
            tags=_tags(params.get("Tags")),
            bypass_policy_lockout_safety_check=params.get("BypassPolicyLockoutSafetyCheck", False),
            origin=Origin(origin),
        )
        return {"KeyMetadata": key.metadata()}

    def describe_key(self, params: Params) -> Params:
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        key = self.model.registry.describe(params["KeyId"], caller=self.caller)
        return {"KeyMetadata": key.metadata()}

    def list_keys(self, params: Params) -> Params:
        keys, next_marker = self.model.key_service.list_keys(
            limit=params.get("Limit"),
            marker=params.get("Marker"),
            owners=frozenset(params.get("ResourceOwners") or ()),
        )
        return page_output(
            "Keys", [{"KeyId": k.key_id, "KeyArn": k.arn} for k in keys], next_marker
        )

    def enable_key(self, params: Params) -> Params:
        self.model.key_service.enable_key(_key_id_only(params["KeyId"]), caller=self.caller)
        return {}

    def disable_key(self, params: Params) -> Params:
        self.model.key_service.disable_key(_key_id_only(params["KeyId"]), caller=self.caller)
        return {}

    def schedule_key_deletion(self, params: Params) -> Params:
        key = self.model.key_service.schedule_key_deletion(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            pending_window_in_days=params.get("PendingWindowInDays"),
        )
        return {
            "KeyId": key.arn,
            "DeletionDate": key.metadata()["DeletionDate"],
            "KeyState": str(key.state),
            "PendingWindowInDays": key.pending_window_days,
        }

    def cancel_key_deletion(self, params: Params) -> Params:
        key = self.model.key_service.cancel_key_deletion(
            _key_id_only(params["KeyId"]), caller=self.caller
        )
        return {"KeyId": key.arn}

    def update_key_description(self, params: Params) -> Params:
        self.model.key_service.update_key_description(
            _key_id_only(params["KeyId"]), params["Description"], caller=self.caller
        )
        return {}

    # ---------------------------------------------------------------- imported key material

    def get_parameters_for_import(self, params: Params) -> Params:
        key, parameters, public_key = self.model.import_service.get_parameters_for_import(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            wrapping_algorithm=params["WrappingAlgorithm"],
            wrapping_key_spec=params["WrappingKeySpec"],
        )
        return {
            "KeyId": key.arn,
            "ImportToken": parameters.token,
            "PublicKey": public_key,
            "ParametersValidTo": datetime.fromtimestamp(parameters.valid_to, tz=UTC),
        }

    def import_key_material(self, params: Params) -> Params:
        key = self.model.import_service.import_key_material(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            import_token=params["ImportToken"],
            encrypted_key_material=params["EncryptedKeyMaterial"],
            expiration_model=params.get("ExpirationModel"),
            valid_to=params.get("ValidTo"),
            import_type=params.get("ImportType"),
            key_material_id=params.get("KeyMaterialId"),
        )
        return {"KeyId": key.arn, "KeyMaterialId": key.material_id}

    def delete_imported_key_material(self, params: Params) -> Params:
        key = self.model.import_service.delete_imported_key_material(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            key_material_id=params.get("KeyMaterialId"),
        )
        output: Params = {"KeyId": key.arn}
        if key.material_id is not None:
            output["KeyMaterialId"] = key.material_id
        return output

    # ---------------------------------------------------------------- key policy

    def put_key_policy(self, params: Params) -> Params:
        if params.get("PolicyName", DEFAULT_POLICY_NAME) != DEFAULT_POLICY_NAME:
            raise faults.unsupported("The only valid value of PolicyName is default.")
        self.model.policy_service.put_key_policy(
            _key_id_only(params["KeyId"]),
            params["Policy"],
            caller=self.caller,
            bypass_policy_lockout_safety_check=params.get("BypassPolicyLockoutSafetyCheck", False),
        )
        return {}

    def get_key_policy(self, params: Params) -> Params:
        key_id = _key_id_only(params["KeyId"])
        name = params.get("PolicyName", DEFAULT_POLICY_NAME)
        text = self.model.policy_service.get_key_policy(key_id, caller=self.caller)
        if name != DEFAULT_POLICY_NAME:
            raise AwsError("NotFoundException", "No such policy exists")
        return {"Policy": text, "PolicyName": DEFAULT_POLICY_NAME}

    # ---------------------------------------------------------------- aliases

    def create_alias(self, params: Params) -> Params:
        self.model.alias_service.create_alias(
            params["AliasName"], params["TargetKeyId"], caller=self.caller
        )
        return {}

    def update_alias(self, params: Params) -> Params:
        self.model.alias_service.update_alias(
            params["AliasName"], params["TargetKeyId"], caller=self.caller
        )
        return {}

    def delete_alias(self, params: Params) -> Params:
        self.model.alias_service.delete_alias(params["AliasName"], caller=self.caller)
        return {}

    def list_aliases(self, params: Params) -> Params:
        key_id = params.get("KeyId")
        aliases, next_marker = self.model.alias_service.list_aliases(
            key_id=_key_id_only(key_id) if key_id is not None else None,
            limit=params.get("Limit"),
            marker=params.get("Marker"),
        )
        return page_output("Aliases", [a.wire() for a in aliases], next_marker)

    # ---------------------------------------------------------------- tags

    def tag_resource(self, params: Params) -> Params:
        self.model.key_service.tag_resource(
            _key_id_only(params["KeyId"]), _tags(params["Tags"]), caller=self.caller
        )
        return {}

    def untag_resource(self, params: Params) -> Params:
        self.model.key_service.untag_resource(
            _key_id_only(params["KeyId"]), list(params["TagKeys"]), caller=self.caller
        )
        return {}

    def list_resource_tags(self, params: Params) -> Params:
        tags, next_marker = self.model.key_service.list_resource_tags(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            limit=params.get("Limit"),
            marker=params.get("Marker"),
        )
        return page_output("Tags", [{"TagKey": k, "TagValue": v} for k, v in tags], next_marker)

    # ---------------------------------------------------------------- grants

    def create_grant(self, params: Params) -> Params:
        _grant_principals(params)
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        grant = self.model.grant_service.create_grant(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            grantee_principal=params.get("GranteePrincipal"),
            grantee_service_principal=params.get("GranteeServicePrincipal"),
            operations=list(params["Operations"]),
            retiring_principal=params.get("RetiringPrincipal"),
            retiring_service_principal=params.get("RetiringServicePrincipal"),
            name=params.get("Name"),
            constraints=_constraints(params.get("Constraints")),
            dry_run=bool(params.get("DryRun")),
        )
        return {"GrantToken": grant.token, "GrantId": grant.grant_id}

    def list_grants(self, params: Params) -> Params:
        # "You can specify either GranteePrincipal or GranteeServicePrincipal, but not both."
        _one_of(params, "GranteePrincipal", "GranteeServicePrincipal", required=False)
        grants, next_marker = self.model.grant_service.list_grants(
            _key_id_only(params["KeyId"]),
            caller=self.caller,
            grant_id=params.get("GrantId"),
            grantee_principal=params.get("GranteePrincipal"),
            grantee_service_principal=self._service_principal_filter(
                params, "GranteeServicePrincipal"
            ),
            limit=params.get("Limit"),
            marker=params.get("Marker"),
        )
        return _grant_page(grants, next_marker)

    def list_retirable_grants(self, params: Params) -> Params:
        # "You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both."
        _one_of(params, "RetiringPrincipal", "RetiringServicePrincipal", required=True)
        grants, next_marker = self.model.grant_service.list_retirable_grants(
            params.get("RetiringPrincipal"),
            retiring_service_principal=self._service_principal_filter(
                params, "RetiringServicePrincipal"
            ),
            limit=params.get("Limit"),
            marker=params.get("Marker"),
        )
        return _grant_page(grants, next_marker)

    def retire_grant(self, params: Params) -> Params:
        token, key_id, grant_id = (
            params.get("GrantToken"),
            params.get("KeyId"),
            params.get("GrantId"),
        )
        dry_run = bool(params.get("DryRun"))
        if token is not None:
            self.model.grant_service.retire_grant_by_token(
                token,
                caller=self.caller,
                key_id=_key_id_only(key_id) if key_id is not None else None,
                dry_run=dry_run,
            )
        elif key_id is not None and grant_id is not None:
            self.model.grant_service.retire_grant(
                _key_id_only(key_id), grant_id, caller=self.caller, dry_run=dry_run
            )
        else:
            raise faults.validation("Grant token OR (grant ID, key ID) must be specified")
        return {}

    def revoke_grant(self, params: Params) -> Params:
        self.model.grant_service.revoke_grant(
            _key_id_only(params["KeyId"]),
            params["GrantId"],
            caller=self.caller,
            dry_run=bool(params.get("DryRun")),
        )
        return {}

    # ---------------------------------------------------------------- cryptography

    def encrypt(self, params: Params) -> Params:
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        algorithm = params.get("EncryptionAlgorithm", SYMMETRIC_DEFAULT)
        blob = self.model.crypto_service.encrypt(
            params["KeyId"],
            params["Plaintext"],
            caller=self.caller,
            encryption_context=params.get("EncryptionContext"),
            encryption_algorithm=algorithm,
        )
        self._dry_run(params)
        arn = self.model.registry.key_arn(params["KeyId"])
        return {"CiphertextBlob": blob, "KeyId": arn, "EncryptionAlgorithm": algorithm}

    def decrypt(self, params: Params) -> Params:
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        if "Recipient" in params:
            raise faults.unsupported(
                "Recipient (attested environments) is not supported by the reference "
                "implementation."
            )
        algorithm = params.get("EncryptionAlgorithm", SYMMETRIC_DEFAULT)
        blob = params.get("CiphertextBlob")
        if blob is None:
            ignore = "IGNORE_CIPHERTEXT" in params.get("DryRunModifiers", [])
            if params.get("DryRun") and ignore and "KeyId" in params:
                self.model.crypto_service.check_usable(
                    params["KeyId"], caller=self.caller, operation="Decrypt"
                )
                raise faults.dry_run()
            raise faults.validation(
                "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
                "constraint: Member must not be null"
            )
        plaintext, arn = self.model.crypto_service.decrypt(
            blob,
            caller=self.caller,
            key_id=params.get("KeyId"),
            encryption_context=params.get("EncryptionContext"),
            encryption_algorithm=algorithm,
        )
        self._dry_run(params)
        return {"KeyId": arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}

    def _data_key_bytes(self, params: Params) -> int:
        spec, count = params.get("KeySpec"), params.get("NumberOfBytes")
        if (spec is None) == (count is None):
            # GenerateDataKey doc: "You must specify either the KeySpec or the NumberOfBytes
            # parameter (but not both) in every GenerateDataKey request."
            raise faults.validation(
                "Specify either the KeySpec or the NumberOfBytes parameter, but not both."
            )
        return DATA_KEY_BYTES[spec] if spec is not None else int(count)

    def generate_data_key(self, params: Params) -> Params:
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        if "Recipient" in params:
            raise faults.unsupported(
                "Recipient (attested environments) is not supported by the reference "
                "implementation."
            )
        data_key = self.model.crypto_service.generate_data_key(
            params["KeyId"],
            caller=self.caller,
            encryption_context=params.get("EncryptionContext"),
            number_of_bytes=self._data_key_bytes(params),
        )
        self._dry_run(params)
        return {
            "CiphertextBlob": data_key.ciphertext_blob,
            "Plaintext": data_key.plaintext,
            "KeyId": data_key.key_arn,
        }

    def generate_data_key_without_plaintext(self, params: Params) -> Params:
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        data_key = self.model.crypto_service.generate_data_key(
            params["KeyId"],
            caller=self.caller,
            encryption_context=params.get("EncryptionContext"),
            number_of_bytes=self._data_key_bytes(params),
            operation="GenerateDataKeyWithoutPlaintext",
        )
        self._dry_run(params)
        return {"CiphertextBlob": data_key.ciphertext_blob, "KeyId": data_key.key_arn}

    def re_encrypt(self, params: Params) -> Params:
        self.model.grant_service.check_grant_tokens(params.get("GrantTokens"))
        if "CiphertextBlob" not in params:
            raise faults.validation(
                "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
                "constraint: Member must not be null"
            )
        source_algorithm = params.get("SourceEncryptionAlgorithm", SYMMETRIC_DEFAULT)
        destination_algorithm = params.get("DestinationEncryptionAlgorithm", SYMMETRIC_DEFAULT)
        blob, source_arn, destination_arn = self.model.crypto_service.re_encrypt(
            params["CiphertextBlob"],
            params["DestinationKeyId"],
            caller=self.caller,
            source_key_id=params.get("SourceKeyId"),
            source_encryption_context=params.get("SourceEncryptionContext"),
            destination_encryption_context=params.get("DestinationEncryptionContext"),
            source_encryption_algorithm=source_algorithm,
            destination_encryption_algorithm=destination_algorithm,
        )
        self._dry_run(params)
        return {
            "CiphertextBlob": blob,
            "SourceKeyId": source_arn,
            "KeyId": destination_arn,
            "SourceEncryptionAlgorithm": source_algorithm,
            "DestinationEncryptionAlgorithm": destination_algorithm,
        }
