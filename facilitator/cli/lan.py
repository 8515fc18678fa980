"""Telling whoever starts the demo how real phones can reach it."""

from __future__ import annotations

import contextlib
import socket

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVERY_ADDRESS = ("0.0.0.0", "::")


def lan_address() -> str | None:
    """This machine's address on its local network, or None if it has none. Connecting a
    UDP socket sends nothing: it only asks the system which address a packet would leave
    from."""
    with (
        contextlib.suppress(OSError),
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe,
    ):
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): a route, never a host
        address = str(probe.getsockname()[0])
        if not address.startswith(("127.", "0.")):
            return address
    return None


def phones_hint(host: str, port: int, public_url: str, lan: str | None) -> str:
    """What to do so phones can join, or "" when the links printed already work for them."""
    reach = f"http://{lan or 'THIS-COMPUTERS-ADDRESS'}:{port}"
    command = f"FACILITATOR_PUBLIC_URL={reach} facilitator demo --host 0.0.0.0 --port {port}"
    if public_url:
        return ""
    if host in LOOPBACK:
        where = f" (this computer is {lan} on the local network)" if lan else ""
        return (
            f"Only this computer can open these links: the demo listens on {host}.\n"
            f"To let phones on the same Wi-Fi join{where}, start it with:\n  {command}"
        )
    if host in EVERY_ADDRESS:
        return (
            f"Phones on the same Wi-Fi reach this computer at {reach}, but the links and QR "
            f"codes say 127.0.0.1. So that they work on phones, start it with:\n  {command}"
        )
    return ""
