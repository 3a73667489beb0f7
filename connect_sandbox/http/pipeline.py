"""One API request, start to finish: authenticate, decode, validate, run the operation
in one transaction (with idempotency), expand, render.

The database work runs synchronously on the event loop: each request is a few
hundred microseconds of SQLite, and serialising them in the process makes every
read-then-write (a single-use token, a capture, an idempotency key) race-free here;
across processes the database's locks do the same (BEGIN IMMEDIATE / FOR UPDATE).
On SQLite, the writes that are ready together share one transaction, each in its own
savepoint (store/group_commit.py).
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from ..context import RequestContext
from ..errors import (APIError, IdempotencyError, IdempotencyKeyInUse,
                      InvalidRequestError, PermissionError_,
                      RequestTooLarge, StripeError)
from ..params import validate
from ..store import Store
from ..store.group_commit import GroupCommit
from . import auth, cors, forms, guards
from .expand import expand
from .render import dumps, public, request_id

log = logging.getLogger("connect_sandbox")

MAX_BODY = 1 << 20  # 1 MiB
IDEMPOTENCY_TTL = 24 * 3600
DEFAULT_API_VERSION = "2026-10-28.endive"
RETRIES = 2
RETRYABLE = {"40P01", "40001"}  # deadlock_detected, serialization_failure


@dataclass(frozen=True)
class Operation:
    method: str
    path: str                  # starlette path, e.g. /v1/customers/{customer}
    spec: str                  # key into params/spec.json, e.g. "POST /v1/customers"
    fn: Callable[..., Any]     # fn(tx, ctx, params, **path_params) -> dict
    publishable: bool = False  # may be called with a pk_test_ key


class Pipeline:
    def __init__(self, store: Store, *, speculate: bool = False):
        self.store = store
        self._writes = 0
        self._group = GroupCommit(store, speculate=speculate) \
            if store.dialect == "sqlite" else None

    async def __call__(self, request: Request, op: Operation) -> Response:
        rid = request_id()
        hdrs = _headers(request)
        version = hdrs.get("stripe-version")
        headers = {"Request-Id": rid, "Stripe-Version": version or DEFAULT_API_VERSION}
        if "stripe-account" in hdrs:  # echoed, as Stripe does (stripe-node reads it back)
            headers["Stripe-Account"] = hdrs["stripe-account"]
        if op.method == "POST" and "idempotency-key" in hdrs:  # on errors too
            headers["Idempotency-Key"] = hdrs["idempotency-key"]
        try:
            raw = await self._read_params(request)
            if self._group is not None and op.method != "GET":
                call = self._prepare(request, op, raw)
                status, payload, extra = await self._group.run(
                    lambda tx: self._in_transaction(tx, call, request, op, raw, rid))
            else:
                status, payload, extra = self._run_retrying(request, op, raw, rid)
            headers.update(extra)
        except StripeError as exc:
            status, payload = exc.status, exc.to_wire()
            _error_headers(headers, exc, version)
        except Exception:  # never a traceback to the client
            log.exception("unexpected error in %s %s", request.method, request.url.path)
            err = APIError("An unknown error occurred. The sandbox logged the details.")
            status, payload = err.status, err.to_wire()
            if op.method == "POST" and "idempotency-key" in hdrs:
                # Stripe saves a 500 under its key, so the SDKs are told a retry would
                # only replay it (here nothing was saved: a retry by hand runs again).
                headers["Stripe-Should-Retry"] = "false"
        return cors.with_headers(
            Response(payload if isinstance(payload, bytes) else dumps(payload),
                     status, headers=headers, media_type="application/json"))

    def _run_retrying(self, request: Request, op: Operation, raw: dict[str, Any],
                      rid: str) -> tuple[int, Any, dict[str, str]]:
        """_run, again (up to twice more) when PostgreSQL chose this transaction as the
        victim of a deadlock between processes: it was rolled back whole."""
        for attempt in range(RETRIES + 1):
            try:
                return self._run(request, op, raw, rid)
            except DBAPIError as exc:
                if attempt == RETRIES or getattr(exc.orig, "sqlstate", None) not in RETRYABLE:
                    raise
                log.info("retrying %s %s after %s", op.method, op.path, exc.orig.sqlstate)
        raise AssertionError("unreachable")

    async def _read_params(self, request: Request) -> dict[str, Any]:
        # From the scope: building request.url measured ~8 us a request.
        query = request.scope.get("query_string")
        raw = forms.decode(query) if query else {}
        if request.method in ("POST", "DELETE"):
            length = _headers(request).get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                raise RequestTooLarge(f"Request bodies are limited to {MAX_BODY} bytes.")
            chunks, size = [], 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    raise RequestTooLarge(f"Request bodies are limited to {MAX_BODY} bytes.")
                chunks.append(chunk)
            body = b"".join(chunks)
            if body.strip():
                ctype = _headers(request).get("content-type", "").split(";")[0].strip().lower()
                if ctype not in ("", "application/x-www-form-urlencoded"):
                    raise InvalidRequestError(
                        f"Invalid request: unsupported Content-Type {ctype[:100]}. If error "
                        "persists and you need assistance, please contact support. Requests "
                        "must be form-encoded (application/x-www-form-urlencoded).")
                for k, v in forms.decode(body).items():
                    raw[k] = v
        return raw

    def _run(self, request: Request, op: Operation, raw: dict[str, Any],
             rid: str) -> tuple[int, Any, dict[str, str]]:
        call = self._prepare(request, op, raw)
        with self.store.transaction(write=op.method != "GET") as tx:
            return self._in_transaction(tx, call, request, op, raw, rid)

    def _prepare(self, request: Request, op: Operation, raw: dict[str, Any]) -> tuple[Any, ...]:
        """What needs no transaction: (key, idempotency key, now, the validated params or
        their error, the request's fingerprint). Done before the write lock is taken, so
        that the lock is held only for the work that needs it (with several workers the
        others wait for it: benchmarks/README.md)."""
        hdrs = _headers(request)
        key = auth.read_key(hdrs.get("authorization"))
        guards.api_version(hdrs.get("stripe-version"))
        guards.path_ids(request.path_params)
        idem_key = hdrs.get("idempotency-key") if op.method == "POST" else None
        if idem_key is not None and (len(idem_key) > 255 or not idem_key):
            raise InvalidRequestError("Invalid Idempotency-Key: must be a string of at most "
                                      "255 characters.", param="Idempotency-Key")
        now = int(time.time())
        auth.ensure_platform(self.store, key, now)
        try:
            params: Any = validate(op.spec, raw)
        except StripeError as exc:  # raised in the transaction, after authentication
            params = exc
        fingerprint = _fingerprint(op, request, raw) if idem_key is not None else ""
        return key, idem_key, now, params, fingerprint

    def _in_transaction(self, tx, call: tuple[Any, ...], request: Request,
                        op: Operation, raw: dict[str, Any],
                        rid: str) -> tuple[int, Any, dict[str, str]]:
        key, idem_key, now, params, fingerprint = call
        hdrs = _headers(request)
        platform, account, publishable = auth.resolve(tx, key, _acting_account(hdrs), now)
        if publishable and not op.publishable:
            # Stripe answers 403 (the SDKs raise PermissionError).
            raise PermissionError_(auth.PUBLISHABLE)
        ctx = RequestContext(platform=platform, account=account, publishable=publishable,
                             masked_key=auth.mask(key), request_id=rid,
                             idempotency_key=idem_key, now=now,
                             api_version=hdrs.get("stripe-version"),
                             base_url=_base_url(request))
        if isinstance(params, StripeError):
            raise params
        if idem_key is None:
            status, payload = self._execute(tx, ctx, op, params, request)
            return status, payload, {}
        if not tx.idem_try_lock(account, idem_key):
            raise IdempotencyKeyInUse(
                "There is currently another in-progress request using this Idempotent "
                "Key (that probably means you submitted twice, and the other request is "
                f"still going through): {idem_key}. Please try again later.")
        found = tx.idem_get(account, idem_key)
        if found is not None:
            # Stored as "<first 40 hex of the fingerprint> <request id of the original>"
            # (rows written before that hold the whole 64-hex fingerprint alone).
            stored, _, original = found[0].partition(" ")
            if len(stored) < 40 or not fingerprint.startswith(stored):
                raise IdempotencyError(
                    "Keys for idempotent requests can only be used with the same "
                    "parameters they were first used with. Try using a key other than "
                    f"'{idem_key}' if you meant to execute a different request.")
            replay = {"Idempotent-Replayed": "true", "Idempotency-Key": idem_key,
                      "Stripe-Should-Retry": "false"}
            if original:
                replay["Original-Request"] = original
            return found[1], found[2].encode(), replay
        status, payload = self._execute(tx, ctx, op, params, request)
        body = dumps(payload)
        tx.idem_put(account, idem_key, f"{fingerprint[:40]} {rid}", status, body.decode(), now)
        self._writes += 1
        if self._writes % 1000 == 0:
            tx.idem_expire(now - IDEMPOTENCY_TTL)
        # The outcome is saved: a retry with the key would only replay it.
        return status, body, {"Idempotency-Key": idem_key, "Original-Request": rid,
                              "Stripe-Should-Retry": "false"}

    def _execute(self, tx, ctx: RequestContext, op: Operation, params, request: Request):
        savepoint = tx.savepoint()  # plain SQL: Core's begin_nested() measured ~75 us
        try:
            result = op.fn(tx, ctx, params, **request.path_params)
            if isinstance(result, dict):
                result = public(expand(tx, ctx, result, params.get("expand") or []))
        except StripeError as exc:
            if exc.persist:
                savepoint.commit()
            else:
                savepoint.rollback()
            if ctx.idempotency_key is None and not exc.persist:
                raise
            return exc.status, exc.to_wire()
        savepoint.commit()
        return 200, result


_BASE_URLS: dict[tuple[Any, ...], str] = {}


def _headers(request: Request) -> dict[str, str]:
    """The request's headers as a dict, built once per request: what request.headers.get
    answers (the first occurrence of a name, latin-1), for the ~9 lookups a request makes
    (each a scan of the header list in Starlette, ~0.7 us)."""
    scope = request.scope
    found = scope.get("cs.headers")
    if found is None:
        found = {}
        for name, value in scope["headers"]:
            name = name.decode("latin-1")
            if name not in found:
                found[name] = value.decode("latin-1")
        scope["cs.headers"] = found
    return found


def _base_url(request: Request) -> str:
    """str(request.base_url) without its trailing slash, memoised per (scheme, Host,
    server, root_path): building it measured ~10 us a request."""
    scope = request.scope
    key = (scope.get("scheme"), _headers(request).get("host"), scope.get("server"),
           scope.get("root_path", ""))
    url = _BASE_URLS.get(key)
    if url is None:
        url = str(request.base_url).rstrip("/")
        if len(_BASE_URLS) < 256:
            _BASE_URLS[key] = url
    return url


def _acting_account(hdrs: dict[str, str]) -> str | None:
    """The account named by Stripe-Account, or by Stripe-Context (the header Stripe says
    supersedes it; a platform names its connected account there the same way, `acct_...`).
    Contexts of several segments (organizations, recipients) name no account here: 403."""
    account, context = hdrs.get("stripe-account"), hdrs.get("stripe-context")
    if context is None or not context.strip():
        return account
    if account is not None and account.strip() != context.strip():
        raise InvalidRequestError(
            "The Stripe-Account and Stripe-Context headers name different accounts: send "
            "only one of them.")
    return context


def _error_headers(headers: dict[str, str], exc: StripeError, version: str | None) -> None:
    """What Stripe adds to an error answer: a key in use by a request still running is
    worth retrying (the SDKs retry a 409 anyway); an unusable Stripe-Version is not
    echoed (the answer is in the default version)."""
    if isinstance(exc, IdempotencyKeyInUse):
        headers["Stripe-Should-Retry"] = "true"
    if version is not None:
        try:
            guards.api_version(version)
        except InvalidRequestError:
            headers["Stripe-Version"] = DEFAULT_API_VERSION


def _fingerprint(op: Operation, request: Request, raw: dict[str, Any]) -> str:
    h = hashlib.sha256()
    h.update(f"{op.method} {request.scope['path']}\n".encode())
    h.update(dumps(raw))
    return h.hexdigest()
