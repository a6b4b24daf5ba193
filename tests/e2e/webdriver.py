"""A small W3C WebDriver client (stdlib only) and the processes around it.

`tauri-driver` speaks WebDriver on one port and drives WebKitWebDriver, which
launches the app binary named in the session's `tauri:options`. The app gets
tauri-driver's environment, so each test starts its own tauri-driver with its
own profile folder. Xvfb is started only when there is no DISPLAY.
"""

from __future__ import annotations

import base64
import http.client as http_client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ESCAPE = "\ue00c"
ENTER = "\ue007"


class WebDriverError(Exception):
    """A WebDriver command failed; `error` is the W3C error code."""

    def __init__(self, error: str, message: str):
        super().__init__(f"{error}: {message}")
        self.error = error


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, timeout: float = 60.0) -> dict:
    """One WebDriver request. tauri-driver sometimes forwards a request on a
    pooled connection that WebKitWebDriver has already closed, and then drops
    ours without an answer (its log says `client error (SendRequest)`); the
    request never reached the browser, so it is sent again, up to 3 times."""
    for attempt in range(3):
        try:
            return _http_once(method, url, body, timeout)
        except (http_client.RemoteDisconnected, ConnectionResetError):
            if attempt == 2:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def _http_once(method: str, url: str, body: dict | None, timeout: float) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            value = json.loads(e.read()).get("value", {})
        except (ValueError, AttributeError):
            value = {}
        raise WebDriverError(value.get("error", f"http {e.code}"), value.get("message", "")) from None


class Xvfb:
    """A virtual display, only if none is set. `display` is what to put in DISPLAY."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.display = os.environ.get("DISPLAY", "")

    def __enter__(self) -> "Xvfb":
        if self.display:
            return self
        if not shutil.which("Xvfb"):
            raise RuntimeError("DISPLAY is not set and Xvfb is not installed (apt-get install xvfb)")
        read_fd, write_fd = os.pipe()
        # -displayfd: Xvfb picks a free display number and writes it to the pipe when ready.
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + 20
        with os.fdopen(read_fd, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            self.__exit__()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number.decode().strip()}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class TauriDriver:
    """One tauri-driver (and, through it, WebKitWebDriver and the app) in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.native_port = free_port()
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "TauriDriver":
        driver = shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
        self.logfile = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [driver, "--port", str(self.port), "--native-port", str(self.native_port)],
            env=self.env,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tauri-driver exited with {self.proc.returncode}; see {self.log}")
            try:
                http("GET", f"{self.url}/status", timeout=2)
                return self
            except (OSError, WebDriverError):
                time.sleep(0.1)
        raise RuntimeError(f"tauri-driver did not answer on {self.url}; see {self.log}")

    def kill_app(self, application: str) -> int:
        """SIGKILLs the app this driver launched (no clean close: a crash or a pulled
        plug), found by its pid among this driver's process group, never by name.
        Returns the pid killed."""
        assert self.proc is not None
        target = os.path.realpath(application)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                if os.getpgid(pid) != self.proc.pid:
                    continue
                if os.path.realpath(f"/proc/{pid}/exe") != target:
                    continue
            except (ProcessLookupError, PermissionError, FileNotFoundError):
                continue
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        if f.read().split(") ")[-1].startswith("Z"):
                            break  # a zombie: dead, waiting for its parent
                except FileNotFoundError:
                    break
                time.sleep(0.05)
            return pid
        raise RuntimeError(f"no running {application} under tauri-driver {self.proc.pid}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            # The whole group: tauri-driver, WebKitWebDriver and the app it launched.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        self.logfile.close()


class Element:
    def __init__(self, session: "Session", element_id: str, css: str) -> None:
        self.s = session
        self.id = element_id
        self.css = css

    def _cmd(self, method: str, path: str, body: dict | None = None):
        return self.s.cmd(method, f"/element/{self.id}{path}", body)

    def click(self) -> None:
        self._cmd("POST", "/click", {})

    def type(self, text: str) -> None:
        self._cmd("POST", "/value", {"text": text})

    def clear(self) -> None:
        self._cmd("POST", "/clear", {})

    @property
    def text(self) -> str:
        return self._cmd("GET", "/text")

    def attr(self, name: str) -> str | None:
        return self._cmd("GET", f"/attribute/{name}")

    def prop(self, name: str):
        return self._cmd("GET", f"/property/{name}")

    @property
    def displayed(self) -> bool:
        return bool(self._cmd("GET", "/displayed"))


class Session:
    """A WebDriver session on the app binary."""

    def __init__(self, driver: TauriDriver, application: str) -> None:
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": application}}}}
        # tauri-driver answers /status before WebKitWebDriver listens; until then it
        # drops the connection. Retry briefly rather than sleeping a fixed time.
        deadline = time.monotonic() + 20
        while True:
            try:
                value = http("POST", f"{driver.url}/session", caps, timeout=60)["value"]
                break
            except (ConnectionError, http_client.RemoteDisconnected) as e:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no WebDriver session: {e}") from e
                time.sleep(0.2)
        self.base = f"{driver.url}/session/{value['sessionId']}"

    def cmd(self, method: str, path: str, body: dict | None = None, timeout: float = 60.0):
        return http(method, f"{self.base}{path}", body, timeout=timeout).get("value")

    def close(self) -> None:
        try:
            http("DELETE", self.base, timeout=10)
        except (OSError, WebDriverError):
            pass

    def find_all(self, css: str) -> list[Element]:
        found = self.cmd("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, e[ELEMENT], css) for e in found]

    def wait(self, css: str, timeout: float = 10.0, visible: bool = True) -> Element:
        """The first element matching `css`, once it exists (and is displayed)."""
        deadline = time.monotonic() + timeout
        while True:
            for el in self.find_all(css):
                try:
                    if not visible or el.displayed:
                        return el
                except WebDriverError:
                    pass  # went stale between find and check: look again
            if time.monotonic() > deadline:
                raise TimeoutError(f"no visible {css!r} after {timeout}s")
            time.sleep(0.05)

    def wait_gone(self, css: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.find_all(css):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{css!r} still present after {timeout}s")
            time.sleep(0.05)

    def execute(self, script: str, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script: str, *args):
        return self.cmd("POST", "/execute/async", {"script": script, "args": list(args)})

    def press(self, *keys: str, pause_ms: int = 0) -> None:
        """Presses and releases each key in turn on the focused element, like a person."""
        actions = []
        for k in keys:
            actions += [{"type": "keyDown", "value": k}, {"type": "keyUp", "value": k}]
            if pause_ms:
                actions.append({"type": "pause", "duration": pause_ms})
        self.cmd("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})
        self.cmd("DELETE", "/actions")

    @property
    def title(self) -> str:
        return self.cmd("GET", "/title")

    def settle(self) -> None:
        """Waits for fonts and two painted frames. WebKitWebDriver's screenshot
        returns the last painted frame, which otherwise lags the DOM."""
        self.execute_async(
            "const done = arguments[arguments.length - 1];"
            "document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50))));"
        )

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # WebKitGTK 2.50 without its DMA-BUF renderer (the app turns it off: src-tauri/src/webview.rs)
        # never answers WebDriver's screenshot of a page shorter than the window; one pixel more
        # than the window (a hairline scrollbar in the picture) and it does. Put back after.
        self.execute("document.body.style.minHeight = 'calc(100vh + 1px)'")
        try:
            self.settle()
            path.write_bytes(base64.b64decode(self.cmd("GET", "/screenshot")))
        finally:
            self.execute("document.body.style.minHeight = ''")
