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

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values = {
            "host": env.get(ENV_PREFIX + "HOST", cls.host),
            "port": int(env.get(ENV_PREFIX + "PORT", cls.port)),
            "database": env.get(ENV_PREFIX + "DATABASE", "") or default_database(),
            "workers": int(env.get(ENV_PREFIX + "WORKERS", cls.workers)),
            "log_level": env.get(ENV_PREFIX + "LOG_LEVEL", cls.log_level),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
