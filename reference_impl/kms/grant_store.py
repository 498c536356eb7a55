"""The grants of one account and Region, and the ids and tokens KMS issues for them."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from reference_impl.kms import faults
from reference_impl.kms.grant import Grant


def _new_grant_id() -> str:
    return os.urandom(32).hex()


def _new_token() -> str:
    return base64.urlsafe_b64encode(os.urandom(96)).decode("ascii").rstrip("=")


@dataclass
class GrantStore:
    """Every live grant in one account and Region, by id and by token."""

    _grants: dict[str, Grant] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Grant]:
        return iter(sorted(self._grants.values(), key=lambda g: g.seq))

    def for_key(self, key_id: str) -> list[Grant]:
        return [grant for grant in self if grant.key_id == key_id]

    def find_named(self, key_id: str, name: str) -> list[Grant]:
        return [g for g in self.for_key(key_id) if g.name == name]

    def add(self, grant: Grant) -> None:
        self._grants[grant.grant_id] = grant

    def issue_token(self, grant: Grant) -> str:
        """Every CreateGrant returns a new token, even for an existing named grant."""
        token = _new_token()
        self._tokens[token] = grant.grant_id
        return token

    def new_id(self) -> str:
        return _new_grant_id()

    def get(self, key_id: str, grant_id: str) -> Grant:
        grant = self._grants.get(grant_id)
        if grant is None or grant.key_id != key_id:
            raise faults.grant_not_found(grant_id)
        return grant

    def by_token(self, token: str) -> Grant:
        grant_id = self._tokens.get(token)
        if grant_id is None:
            raise faults.invalid_grant_token()
        grant = self._grants.get(grant_id)
        if grant is None:
            raise faults.grant_not_found(grant_id)
        return grant

    def check_tokens(self, tokens: list[str] | None) -> None:
        for token in tokens or []:
            if token not in self._tokens:
                raise faults.invalid_grant_token()

    def remove(self, grant: Grant) -> None:
        """Tokens stay known, so a token of a retired grant answers NotFound, not InvalidToken."""
        self._grants.pop(grant.grant_id, None)

    def remove_key(self, key_id: str) -> None:
        for grant in self.for_key(key_id):
            self.remove(grant)
