"""Settings from command-line flags and the environment (CONNECT_SANDBOX_*), frozen."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_PREFIX = "CONNECT_SANDBOX_"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it and says what it takes."""


def _number(name: str, kind: type, default: float, minimum: float,
            maximum: float | None = None) -> float:
    raw = os.environ.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value != value or value < minimum or (
            maximum is not None and value > maximum):
        bound = f" and at most {maximum:g}" if maximum is not None else ""
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{ENV_PREFIX}{name} must be {what} of at least {minimum:g}"
                            f"{bound}, not {raw!r}")
    return value


def default_database() -> str:
    path = Path(platformdirs.user_data_dir("connect-sandbox")) / "sandbox.db"
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 12111
    database: str = ""
    workers: int = 1
    # SQLite, several workers: run a write request's logic on a snapshot, outside the
    # write lock, and only check and write its outcome under it (store/speculation.py).
    # auto: with more than one worker; on; off.
    speculate: str = "auto"
    log_level: str = "info"
    # Webhook delivery: a failed attempt is retried after base, 2*base, 4*base... seconds
    # until max_attempts were made (Stripe's test mode: three retries over a few hours).
    webhook_retry_base: float = 1800.0
    webhook_max_attempts: int = 4
    webhook_timeout: float = 20.0         # seconds to wait for an endpoint's answer
    webhook_poll_interval: float = 0.25   # seconds between looks for due deliveries
    # Scheduled transitions (jobs/runner.py): a legacy ACH charge settles (succeeds or
    # fails) this many seconds after it was created (Stripe: days live, soon in test mode).
    ach_settle_seconds: float = 5.0
    # A payout is paid (or fails, for Stripe's failing test bank accounts) this many
    # seconds after it was created (services/payouts.py).
    payout_seconds: float = 5.0
    jobs_poll_interval: float = 0.5       # seconds between looks for due jobs

    def speculating(self) -> bool:
        return self.speculate == "on" or (self.speculate == "auto" and self.workers > 1)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values = {
            "host": env.get(ENV_PREFIX + "HOST", cls.host),
            "port": _number("PORT", int, cls.port, 0, 65535),
            "database": env.get(ENV_PREFIX + "DATABASE", "") or default_database(),
            "workers": _number("WORKERS", int, cls.workers, 1),
            "log_level": env.get(ENV_PREFIX + "LOG_LEVEL", cls.log_level),
            "speculate": env.get(ENV_PREFIX + "SPECULATE", cls.speculate).strip().lower(),
            "webhook_retry_base": _number("WEBHOOK_RETRY_BASE", float,
                                          cls.webhook_retry_base, 0),
            "webhook_max_attempts": _number("WEBHOOK_MAX_ATTEMPTS", int,
                                            cls.webhook_max_attempts, 1),
            "webhook_timeout": _number("WEBHOOK_TIMEOUT", float, cls.webhook_timeout, 0.001),
            "webhook_poll_interval": _number("WEBHOOK_POLL_INTERVAL", float,
                                             cls.webhook_poll_interval, 0.001),
            "ach_settle_seconds": _number("ACH_SETTLE_SECONDS", float,
                                          cls.ach_settle_seconds, 0),
            "payout_seconds": _number("PAYOUT_SECONDS", float, cls.payout_seconds, 0),
            "jobs_poll_interval": _number("JOBS_POLL_INTERVAL", float,
                                          cls.jobs_poll_interval, 0.001),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not 0 <= values["port"] <= 65535:
            raise SettingsError(f"--port must be from 0 to 65535, not {values['port']}")
        if values["workers"] < 1:
            raise SettingsError(f"--workers must be at least 1, not {values['workers']}")
        if values["speculate"] not in ("auto", "on", "off"):
            raise SettingsError(f"{ENV_PREFIX}SPECULATE must be auto, on or off, not "
                                f"{values['speculate']!r}")
        url = values["database"]
        if not url.startswith(("sqlite://", "postgresql://", "postgres://",
                               "postgresql+psycopg://")):
            raise SettingsError(f"--database must be sqlite:///path or postgresql://..., "
                                f"not {url!r}")
        return cls(**values)
