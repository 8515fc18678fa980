"""Browser tests: a real server process (the demo) driven by Debian's Chromium."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp

from tests.servers import demo_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(__file__).parent / "screenshots"
# axe-core, pinned and fetched by scripts/vendor.py; only the tests load it, never a page.
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo server in its own process, as a user starts it."""
    with demo_server(tmp_path_factory.mktemp("demo")) as info:
        yield info


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: Playwright's sync API holds an event loop on this thread while it runs,
    # which later tests calling asyncio.run() must not meet.
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # A shared 2-core machine can be slow; a live update still has to arrive, just later.
    expect.set_options(timeout=15_000)

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# The browser itself logs a failed WebSocket handshake while offline; that is expected.
BENIGN = re.compile(r"^WebSocket connection to .* failed: .*(DISCONNECTED|REFUSED)")


class Watch:
    """Collects page errors, console errors and dialogs, which no page should produce."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def _console(self, message: Any) -> None:
        if message.type != "error" or BENIGN.match(message.text):
            return
        # An error page is a document served with its error status; the browser logs that.
        if message.text.startswith("Failed to load resource") and (
            message.location.get("url") == message.page.url
        ):
            return
        self.problems.append(f"console: {message.text}")

    def page(self, context: Any) -> Any:
        page = context.new_page()
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("console", self._console)
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        return page


@pytest.fixture
def watch() -> Iterator[Watch]:
    w = Watch()
    yield w
    assert w.problems == []


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


def organiser(browser: Any, demo: dict[str, Any], watch: Watch, **size: Any) -> Any:
    """A logged-in organiser's page (a laptop unless another size is given)."""
    page = watch.page(browser.new_context(**(size or LAPTOP)))
    log_in(page, demo["base_url"], demo["organiser_email"], demo["organiser_password"])
    page.wait_for_url("**/organiser")
    return page


# Rules whose failures matter to a person using a screen reader, keyboard or low vision:
# axe's own "serious" and "critical" impacts.
SERIOUS = ("serious", "critical")


def upload_setup(office: Any, folder: Path, text: str) -> None:
    """Create a workshop from a set-up file, through the organiser's upload form."""
    from playwright.sync_api import expect

    setup = folder / "setup.yaml"
    setup.write_text(text)
    office.set_input_files("#setup-file", str(setup))
    office.click("form[action^='/organiser/workshops/upload'] button[type=submit]")
    expect(office.locator(".notice", has_text="Imported")).to_be_visible()


def axe_problems(page: Any) -> list[str]:
    """Run axe-core on the page as it is now; its serious and critical violations."""
    if not page.evaluate("() => 'axe' in window"):
        # Evaluated by the test driver, so the page's strict CSP does not stop it.
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .map(v => ({id: v.id, impact: v.impact,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [f"{v['id']} ({v['impact']}) at {v['nodes']}" for v in found if v["impact"] in SERIOUS]


# The QR image drawn on a white canvas, one grey byte per pixel, for the decoder.
QR_PIXELS = """async (img) => {
  await img.decode();
  const n = 360, canvas = document.createElement("canvas");
  canvas.width = n; canvas.height = n;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, n, n);
  ctx.drawImage(img, 0, 0, n, n);
  const rgba = ctx.getImageData(0, 0, n, n).data;
  let grey = "";
  for (let i = 0; i < rgba.length; i += 4) grey += String.fromCharCode(rgba[i + 1]);
  return btoa(grey);
}"""


def read_qr(image: Any) -> str:
    """The text a QR code on the page encodes, as a phone's camera would read it."""
    image.scroll_into_view_if_needed()
    pixels = np.frombuffer(base64.b64decode(image.evaluate(QR_PIXELS)), dtype=np.uint8)
    found = zxingcpp.read_barcode(pixels.reshape(360, 360))
    assert found is not None, "the QR code could not be read"
    return str(found.text)


def tab_to(page: Any, target: Any, limit: int = 80) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("(el) => document.activeElement === el"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("Tab never reached the element")


def confirm(page: Any, wait: bool = False) -> None:
    """Say yes to a big action's question; then let it happen now, or (wait) after the
    10 seconds in which it could be undone."""
    page.get_by_role("button", name="Yes, do it").click()
    if not wait:
        page.locator(".undo-row").get_by_role("button", name="Do it now").last.click()
