"""Headless Chromium check for the HTML report (a small DevTools-protocol client).

``load_in_chromium(html_path)`` starts Chromium (Debian package ``chromium``)
with ``--remote-debugging-pipe``, talks the DevTools protocol over that pipe
(JSON messages separated by NUL bytes, stdlib only), loads the file and
returns what a user would care about: console errors and exceptions, every
network request the page made, the page text, and a PNG screenshot.

``chromium_or_reason()`` finds ``/usr/bin/chromium``; when it is missing and
we are root with apt-get, it installs it (``apt-get update && apt-get install
-y chromium``, once, under a file lock so parallel test workers wait for one
install).  When that is impossible it returns the reason, for ``pytest.skip``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--remote-debugging-pipe",
    "--window-size=1200,1600",
)
INSTALL_TIMEOUT_S = 900
LOCK = Path(tempfile.gettempdir()) / "reptrack-chromium-install.lock"


def _find() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        if os.access(c, os.X_OK):
            return c
    return shutil.which("chromium")


def chromium_or_reason() -> tuple[str | None, str]:
    """``(path, "")`` or ``(None, why it cannot run here)``."""
    found = _find()
    if found:
        return found, ""
    if os.name != "posix" or os.geteuid() != 0:
        return None, "Chromium is not installed and installing the Debian package needs root (apt-get install chromium)"
    if not shutil.which("apt-get"):
        return None, "Chromium is not installed and this system has no apt-get to install the Debian package"
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _find()
        if found:
            return found, ""
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
                r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
                if r.returncode != 0:
                    tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no output"]
                    return None, f"installing Chromium failed ({' '.join(cmd)}: {tail[0]})"
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"installing Chromium failed ({exc})"
    found = _find()
    return (found, "") if found else (None, "apt-get installed chromium but no chromium binary was found")


@dataclass
class PageResult:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    text: str = ""
    svg_count: int = 0
    screenshot_png: bytes = b""
    page_height: int = 0
    pdf: bytes = b""

    @property
    def pdf_pages(self) -> int:
        return self.pdf.count(b"/Type /Page") - self.pdf.count(b"/Type /Pages")


class _Pipe:
    """DevTools protocol over the two pipes Chromium reads (fd 3) and writes (fd 4)."""

    def __init__(self, wfd: int, rfd: int, proc: subprocess.Popen[bytes]) -> None:
        self.w, self.r, self.proc = wfd, rfd, proc
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium closed the pipe (exit {self.proc.poll()})")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        mid = self.next_id
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == mid:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("method") == method:
                return m
            self.events.append(m)


class Chromium:
    """One headless Chromium (fresh profile) driven over the DevTools pipe;
    :meth:`load` opens each page in its own new tab.  Use as a context manager."""

    def __init__(self, chromium: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="reptrack-chromium-")
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()

        def plumb() -> None:  # in the child: our pipe ends become fds 3 (read) and 4 (write)
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=plumb,
            close_fds=False,  # dup2'd fds 3/4 must survive; our other fds are non-inheritable
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.cdp = _Pipe(self._w, self._r, self.proc)

    def load(self, html_path: Path, settle_s: float = 0.3, full_page: bool = False) -> PageResult:
        """Open ``html_path`` in a new tab and inspect it (see :class:`PageResult`)."""
        return _inspect(self.cdp, Path(html_path).resolve().as_uri(), settle_s, full_page)

    def close(self) -> None:
        try:
            self.cdp.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_in_chromium(html_path: Path, chromium: str, settle_s: float = 0.3, full_page: bool = False) -> PageResult:
    """Open ``html_path`` in a fresh headless Chromium and inspect it."""
    with Chromium(chromium) as browser:
        return browser.load(html_path, settle_s, full_page)


def _inspect(cdp: _Pipe, url: str, settle_s: float, full_page: bool) -> PageResult:
    import base64

    target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    sid = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        cdp.send(f"{domain}.enable", session=sid)
    cdp.send("Emulation.setDeviceMetricsOverride", {"width": 1200, "height": 1600, "deviceScaleFactor": 1, "mobile": False}, session=sid)
    cdp.events = [e for e in cdp.events if e.get("sessionId") != sid]
    cdp.send("Page.navigate", {"url": url}, session=sid)
    cdp.wait_event("Page.loadEventFired", timeout=60)
    time.sleep(settle_s)
    res = PageResult()
    ev = cdp.send("Runtime.evaluate", {"expression": "JSON.stringify({t: document.body.innerText, n: document.querySelectorAll('svg').length, h: document.documentElement.scrollHeight})", "returnByValue": True}, session=sid)
    info = json.loads(ev["result"]["value"])
    res.text, res.svg_count, res.page_height = info["t"], info["n"], info["h"]
    params: dict[str, Any] = {"format": "png"}
    if full_page:
        params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": 1200, "height": min(res.page_height, 16000), "scale": 1})
    shot = cdp.send("Page.captureScreenshot", params, session=sid, timeout=60)
    res.screenshot_png = base64.b64decode(shot["data"])
    pdf = cdp.send("Page.printToPDF", {"printBackground": False}, session=sid, timeout=60)
    res.pdf = base64.b64decode(pdf["data"])
    mine = [e for e in cdp.events if e.get("sessionId") == sid]
    cdp.events = [e for e in cdp.events if e.get("sessionId") != sid]
    cdp.send("Target.closeTarget", {"targetId": target})
    for e in mine:
        m, p = e.get("method"), e.get("params", {})
        if m == "Network.requestWillBeSent":
            res.requests.append(p["request"]["url"])
        elif m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            res.console_errors.append(f"{d.get('text', 'exception')} {d.get('exception', {}).get('description', '')}".strip())
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            res.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            res.console_errors.append(p["entry"].get("text", ""))
    return res


def non_blank_fraction(png: bytes) -> tuple[float, int]:
    """Fraction of pixels that are not (near) white, and the number of distinct colours."""
    import io

    from PIL import Image

    import numpy as np

    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    dark = float(np.mean(px.min(axis=1) < 235))
    return dark, len(np.unique(px, axis=0))
