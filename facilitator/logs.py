"""The server's logs: plain text (uvicorn's) or JSON lines, each with its request or socket id,
and never a secret.

What could carry one is kept out: the access log's path has any invitation token replaced;
no header, cookie or form field is logged anywhere; the configuration is never logged.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import logging
import re
import secrets
from typing import Any

import orjson
import uvicorn.config

# The id of the HTTP request, or of the WebSocket, being handled (set by web/request_ids.py).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
socket_id: contextvars.ContextVar[str] = contextvars.ContextVar("socket_id", default="")

FORMATS = ("text", "json")
# Paths that carry a secret: an invitation link is a password until it is used.
SECRET_PATHS = re.compile(r"(/invite/)[^/?\s\"]+")
REDACTED = r"\1[redacted]"


def new_id() -> str:
    return secrets.token_hex(8)


def redact(text: str) -> str:
    return SECRET_PATHS.sub(REDACTED, text)


class Redact(logging.Filter):
    """Takes secrets out of a record's arguments (uvicorn's access and WebSocket lines hold
    the path) and message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request or socket id, and the
    fields of an access line (method, path, status) when it is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id.get():
            entry["request_id"] = rid
        if sid := socket_id.get():
            entry["socket_id"] = sid
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _, status = args
            entry.update(client=client, method=method, path=path, status=status)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def uvicorn_config(log_format: str) -> dict[str, Any]:
    """uvicorn's `log_config` for a format. Every line goes to stderr: stdout carries only
    what a command prints for a program to read (`demo --json`), and a reader that stops
    after that must never fill the pipe and so stall the server on its next access line."""
    if log_format == "text":
        config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
        config["handlers"]["access"]["stream"] = "ext://sys.stderr"
        return config
    if log_format != "json":
        raise ValueError(f"FACILITATOR_LOG_FORMAT must be one of {', '.join(FORMATS)}")
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["redact"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "facilitator.logs.Redact"}},
        "formatters": {"json": {"()": "facilitator.logs.JsonFormatter"}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"level": "INFO"},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"level": "INFO"},
        },
    }


def redact_uvicorn() -> None:
    """In text mode too: uvicorn's access and WebSocket lines hold the path."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, Redact) for f in logger.filters):
            logger.addFilter(Redact())
