"""How many phones' drafts get a vector each second, per process, for the duplicate hint."""

from __future__ import annotations

import threading
import time

# Drafts embedded per second per process for the duplicate hint: each costs 15–25 ms of CPU in
# the request, so 8 a second hold it under a fifth of a core however many phones type; past
# that, a draft is compared by shared words only.
DRAFTS_PER_SECOND = 8.0
_budget_lock = threading.Lock()
_budget = [DRAFTS_PER_SECOND, 0.0]  # tokens left, when last refilled (monotonic seconds)


def draft_allowed(now: float | None = None) -> bool:
    """Whether a draft's vector may be computed now (a token bucket of DRAFTS_PER_SECOND)."""
    moment = time.monotonic() if now is None else now
    with _budget_lock:
        tokens, last = _budget
        tokens = min(DRAFTS_PER_SECOND, tokens + max(0.0, moment - last) * DRAFTS_PER_SECOND)
        allowed = tokens >= 1.0
        _budget[0], _budget[1] = (tokens - 1.0 if allowed else tokens), moment
        return allowed
