"""What the dashboard changes: resending an event to a webhook endpoint (through the
webhooks code's own resend, as the API would)."""
from __future__ import annotations

import time

from ...context import RequestContext
from ...errors import StripeError
from ...http.render import request_id
from ...store import Store
from .. import optional
from ..access import NotFound, Scope
from ..session import Session
from .events import endpoints_for


class ActionError(Exception):
    pass


def resend(store: Store, session: Session, event_id: str, endpoint_id: str) -> None:
    fn = optional.resend_function()
    if fn is None:
        raise ActionError("This build of the sandbox cannot resend webhooks.")
    with store.transaction(write=True) as tx:
        scope = Scope(tx, session.platform)
        owner, event = scope.locate(event_id, "event")
        target = next(((o, ep) for o, ep in endpoints_for(scope, event, owner)
                       if ep["id"] == endpoint_id), None)
        if target is None:
            raise NotFound(endpoint_id)
        ep_owner, endpoint = target
        ctx = RequestContext(platform=session.platform, account=ep_owner, publishable=False,
                             masked_key=session.masked_key, request_id=request_id(),
                             now=int(time.time()))
        try:
            fn(tx, ctx, endpoint, ep_owner, event_id, param="endpoint")
        except StripeError as exc:
            raise ActionError(exc.message if hasattr(exc, "message") else str(exc)) from None
