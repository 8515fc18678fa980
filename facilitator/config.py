"""Settings: the one reader of FACILITATOR_* environment variables (DESIGN rule 9)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PREFIX = "FACILITATOR_"


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "facilitator"


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Each field is documented in docs/configuration.md."""

    data_dir: Path
    database_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "facilitator:"
    secret_key: str = ""
    public_url: str = ""
    allowed_origins: str = ""
    max_idea_length: int = 500
    max_name_length: int = 60
    heartbeat_seconds: float = 15.0
    resync_limit: int = 200
    socket_queue_size: int = 256
    socket_rate: float = 10.0
    socket_burst: int = 60
    session_idle_hours: float = 24.0
    session_max_days: float = 14.0
    invitation_days: float = 7.0
    secure_cookies: bool = False
    # /metrics is served only when one of these is set (docs/operations.md).
    metrics_token: str = ""
    metrics_allow: str = ""
    log_format: str = "text"  # or "json"
    embedding_model: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read FACILITATOR_<FIELD> variables, then apply explicit overrides (CLI flags)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _parse(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" not in values:
            values["data_dir"] = default_data_dir(env)
        values["data_dir"] = Path(values["data_dir"]).expanduser()
        return cls(**values).resolved()

    def resolved(self) -> Settings:
        """Fill embedded defaults that live in the data directory."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'facilitator.db'}"
        key = self.secret_key or _stored_secret(self.data_dir)
        return replace(self, database_url=url, secret_key=key)

    def to_env(self) -> dict[str, str]:
        """These settings as FACILITATOR_* variables, for worker processes to read back."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {
            PREFIX + name.upper(): str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in values.items()
        }

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _parse(kind: Any, raw: str, name: str) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if kind == "Path":
            return Path(raw)
    except ValueError:
        raise ValueError(f"{PREFIX}{name.upper()} must be a {kind}, not {raw!r}") from None
    return raw


def _stored_secret(data_dir: Path) -> str:
    """A per-installation secret, made once, so cookies survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
