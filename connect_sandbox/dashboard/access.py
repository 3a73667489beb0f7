"""What a signed-in platform may see: its own account's data and its connected accounts'
(sellers'). Every page resolves ids through a Scope, so another platform's id is simply
not found (404), exactly like an id that does not exist."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..store import Tx

MAX_SELLERS = 1000


class NotFound(LookupError):
    pass


@dataclass
class Scope:
    tx: Tx
    platform: str
    _sellers: list[dict[str, Any]] | None = field(default=None, repr=False)

    def platform_account(self) -> dict[str, Any]:
        return self.tx.get(self.platform, self.platform, "account") or {
            "id": self.platform, "object": "account"}

    def sellers(self) -> list[dict[str, Any]]:
        """The platform's connected accounts (the first MAX_SELLERS), newest first."""
        if self._sellers is None:
            self._sellers = self.tx.list(self.platform, "account", parent=self.platform,
                                         limit=MAX_SELLERS).data
        return self._sellers

    def accounts(self) -> list[str]:
        """The platform first, then its sellers: every account whose data it may read."""
        return [self.platform] + [a["id"] for a in self.sellers()]

    def account(self, account_id: str) -> dict[str, Any]:
        """The platform's own Account or one of its sellers', else NotFound."""
        if account_id == self.platform:
            return self.platform_account()
        acct = self.tx.get(self.platform, account_id, "account") if account_id else None
        if acct is None:
            raise NotFound(account_id)
        return acct

    def may_read(self, account_id: str | None) -> bool:
        if not account_id:
            return False
        if account_id == self.platform:
            return True
        return self.tx.get(self.platform, account_id, "account") is not None

    def locate(self, obj_id: str, *types: str) -> tuple[str, dict[str, Any]]:
        """(owning account, object) for an id this platform may read, else NotFound.
        Account objects are owned by the platform that connected them."""
        owner = self.tx.owner_of(obj_id) if obj_id else None
        if owner is None or not self.may_read(owner):
            raise NotFound(obj_id)
        obj = self.tx.get(owner, obj_id)
        if obj is None or (types and obj.get("object") not in types):
            raise NotFound(obj_id)
        return owner, obj

    def find(self, obj_id: str | None, *types: str) -> tuple[str, dict[str, Any]] | None:
        """Like locate, but None when the id is absent or not readable."""
        if not obj_id or not isinstance(obj_id, str):
            return None
        try:
            return self.locate(obj_id, *types)
        except NotFound:
            return None
