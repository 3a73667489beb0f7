"""Source objects (src_...): created, cloned, attached and charged through
/v1/sources. Implemented with the PaymentMethods/Sources work; until then any src_
id is unknown."""
from __future__ import annotations

from typing import Any

from ..context import RequestContext
from ..errors import ResourceMissing
from ..store import Tx


def attach_to_customer(tx: Tx, ctx: RequestContext, cus: dict[str, Any], source_id: str, *,
                       param: str = "source") -> dict[str, Any]:
    raise ResourceMissing("source", source_id, param=param)


def for_charge(tx: Tx, ctx: RequestContext, source_id: str, *,
               customer: str | None) -> dict[str, Any]:
    raise ResourceMissing("source", source_id, param="source")


def detach(tx: Tx, ctx: RequestContext, source: dict[str, Any]) -> None:
    raise ResourceMissing("source", source["id"])
