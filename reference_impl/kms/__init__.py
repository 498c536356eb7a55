"""KMS: ``model.KmsModel`` holds a ``KeyRegistry`` and the services acting on it (key_service,
alias_service, policy_service, grant_service, crypto_service); api.py is the wire layer."""
