"""The small family of refusals. Each carries a message a person can read."""

from __future__ import annotations

from typing import Any

from facilitator.i18n import gettext


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, **params: Any):
        super().__init__(message)
        self.msgid = message  # marked with N_ where raised; translated where shown
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # Writes run in another process; a refusal crosses back pickled, params and all.
        return _rebuild, (type(self), self.msgid, self.params)

    @property
    def message(self) -> str:
        """In the reader's language: translated first, then filled in."""
        text = gettext(self.msgid)
        return text.format(**self.params) if self.params else text


class Invalid(DomainError):
    status = 400


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooMany(DomainError):
    status = 429


def _rebuild(cls: type[DomainError], message: str, params: dict[str, Any]) -> DomainError:
    return cls(message, **params)
