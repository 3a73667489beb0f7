"""Settings from command-line flags and the environment (CONNECT_SANDBOX_*), frozen."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_PREFIX = "CONNECT_SANDBOX_"


def default_database() -> str:
    path = Path(platformdirs.user_data_dir("connect-sandbox")) / "sandbox.db"
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 12111
    database: str = ""
    workers: int = 1
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

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values = {
            "host": env.get(ENV_PREFIX + "HOST", cls.host),
            "port": int(env.get(ENV_PREFIX + "PORT", cls.port)),
            "database": env.get(ENV_PREFIX + "DATABASE", "") or default_database(),
            "workers": int(env.get(ENV_PREFIX + "WORKERS", cls.workers)),
            "log_level": env.get(ENV_PREFIX + "LOG_LEVEL", cls.log_level),
            "webhook_retry_base": float(env.get(ENV_PREFIX + "WEBHOOK_RETRY_BASE",
                                                cls.webhook_retry_base)),
            "webhook_max_attempts": int(env.get(ENV_PREFIX + "WEBHOOK_MAX_ATTEMPTS",
                                                cls.webhook_max_attempts)),
            "webhook_timeout": float(env.get(ENV_PREFIX + "WEBHOOK_TIMEOUT",
                                             cls.webhook_timeout)),
            "webhook_poll_interval": float(env.get(ENV_PREFIX + "WEBHOOK_POLL_INTERVAL",
                                                   cls.webhook_poll_interval)),
            "ach_settle_seconds": float(env.get(ENV_PREFIX + "ACH_SETTLE_SECONDS",
                                                cls.ach_settle_seconds)),
            "payout_seconds": float(env.get(ENV_PREFIX + "PAYOUT_SECONDS",
                                            cls.payout_seconds)),
            "jobs_poll_interval": float(env.get(ENV_PREFIX + "JOBS_POLL_INTERVAL",
                                                cls.jobs_poll_interval)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
