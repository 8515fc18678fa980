"""Real server processes for tests that need one: the demo, as a user starts it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base_url: str, seconds: float = 60.0) -> dict[str, Any]:
    # Generous: a worker process importing the app takes ~10 s on a loaded 2-core machine.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as r:
                return json.loads(r.read())  # type: ignore[no-any-return]
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{base_url} never became healthy")


def _start(args: list[str], env: dict[str, str], own_group: bool = False) -> subprocess.Popen[str]:
    """`python -m facilitator ARGS` with only `env`'s FACILITATOR_* settings; with
    `own_group`, in a session and process group of its own, which its children share."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    return subprocess.Popen(
        [sys.executable, "-m", "facilitator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**clean, **env},
        start_new_session=own_group,
    )


@contextlib.contextmanager
def _process(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """`python -m facilitator ARGS`, stopped after."""
    proc = _start(args, env)
    assert proc.stdout is not None
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        proc.stdout.close()


def _drain(proc: subprocess.Popen[str]) -> None:
    """Reads what the server prints after its first line, for as long as it runs: a pipe
    nobody reads fills at 64 KiB and the server then stalls on its next write."""
    stdout = proc.stdout
    assert stdout is not None

    def read() -> None:
        with contextlib.suppress(ValueError, OSError):  # closed once the server has stopped
            stdout.read()

    threading.Thread(target=read, daemon=True).start()


@contextlib.contextmanager
def demo_server(data_dir: Path, port: int | None = None) -> Iterator[dict[str, Any]]:
    """`facilitator demo --json` in its own process; yields the JSON it prints first."""
    port = port or free_port()
    args = ["demo", "--json", "--port", str(port), "--data-dir", str(data_dir)]
    with _process(args, {}) as proc:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        _drain(proc)
        info["health"] = wait_healthy(info["base_url"])
        yield info


@contextlib.contextmanager
def app_server(env: dict[str, str], *args: str) -> Iterator[str]:
    """`facilitator serve ARGS` configured by FACILITATOR_* `env`; yields its URL once healthy."""
    port = free_port()
    with _process(["serve", "--port", str(port), *args], env) as proc:
        _drain(proc)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        yield base


class Restartable:
    """`facilitator serve` that a test stops with any signal and starts again on the same
    port and data, as a supervisor (systemd, Docker) would. SIGKILL is a crash: it takes
    the whole process group, the server and its SQLite writer alike (a writer left alive
    would still commit what the server had acknowledged too early)."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = _start(["serve", "--port", str(self.port)], self.env, own_group=True)
        _drain(self.proc)
        wait_healthy(self.base)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        if sig == signal.SIGKILL:
            os.killpg(self.proc.pid, sig)  # its group: it leads it (start_new_session)
        else:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=20)
        self.proc.stdout.close()
        self.proc = None

    def __enter__(self) -> Restartable:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            self.stop()
