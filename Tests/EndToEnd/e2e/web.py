"""What the web page's browser test runs: `ckw2mqtt simulate` (CKW with its login page), `ckw2mqtt run`
with the web page enabled, a reverse proxy that imitates Home Assistant's ingress, the page a login
redirect lands on, headless Chromium driven by Selenium, and a client in a network namespace."""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .bridge import bridge_environment, ckw2mqtt_binary
from .polling import wait_until
from .ports import accepts_connections, free_loopback_port
from .processes import ManagedProcess

STARTUP_TIMEOUT = 60


class Simulator:
    """`ckw2mqtt simulate`: the login page asks for the user name and password, as CKW's does."""

    USER = "demo"
    PASSWORD = "demo"
    CLIENT_ID = "ckw2mqtt"

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_loopback_port()
        self.process = ManagedProcess(
            "simulator",
            [str(ckw2mqtt_binary()), "simulate", "--port", str(self.port), "--meters", "1", "--log-level", "notice"],
            directory / "simulator.log",
            env=bridge_environment(),
        )
        self.issuer = ""
        self.client_api = ""

    def start(self) -> None:
        self.process.start()
        log = self.process.log_path

        def addresses() -> tuple[str, str] | None:
            text = log.read_text(errors="replace")
            issuer = re.search(r"issuer:\s+(\S+)", text)
            client_api = re.search(r"Client API:\s+(\S+)", text)
            return (issuer.group(1), client_api.group(1)) if issuer and client_api and accepts_connections(self.port) else None

        self.issuer, self.client_api = wait_until(
            addresses, lambda seen: seen is not None, timeout=STARTUP_TIMEOUT, what="the simulator to listen")

    def stop(self) -> None:
        self.process.stop()


class WebBridge:
    """`ckw2mqtt run` with `http.enabled`, against the simulator and the test's broker."""

    def __init__(self, directory: Path, simulator: Simulator, mqtt_host: str, mqtt_port: int, *,
                 name: str = "ckw2mqtt", http_host: str = "127.0.0.1", base_topic: str = "ckw2mqtt-web",
                 redirect_uri: str | None = None, extra: dict[str, str] | None = None) -> None:
        """`redirect_uri` `None` registers the page's own callback."""
        directory.mkdir(parents=True, exist_ok=True)
        self.state_directory = directory / "state"
        self.base_topic = base_topic
        self.http_host = http_host
        self.port = free_loopback_port()
        settings = {
            "ckw.issuer": simulator.issuer,
            "ckw.api_base_url": simulator.client_api,
            "ckw.client_id": Simulator.CLIENT_ID,
            "ckw.redirect_uri": redirect_uri or f"http://{http_host}:{self.port}/callback",
            "mqtt.client_id": f"{name}-web-e2e",
            # Beside the demo bridge of the other tests on the same broker: its own topics, and no
            # discovery, so Home Assistant's devices stay the demo's.
            "mqtt.base_topic": base_topic,
            "homeassistant.discovery": "false",
            "http.enabled": "true",
            "http.host": http_host,
            "http.port": str(self.port),
        } | (extra or {})
        argv = [str(ckw2mqtt_binary()), "run", "--mqtt-host", mqtt_host, "--mqtt-port", str(mqtt_port),
                "--state-directory", str(self.state_directory), "--log-level", "debug"]
        for key, value in settings.items():
            argv += ["--set", f"{key}={value}"]
        self.process = ManagedProcess(name, argv, directory / f"{name}.log", env=bridge_environment())

    @property
    def url(self) -> str:
        return f"http://{self.http_host}:{self.port}/"

    @property
    def tokens(self) -> Path:
        return self.state_directory / "tokens.json"

    def start(self) -> None:
        self.process.start()
        wait_until(
            lambda: (self.process.is_running(), _answers(self.url + "healthz")),
            lambda seen: seen[0] is False or seen[1],
            timeout=STARTUP_TIMEOUT,
            what=f"the bridge's web page on {self.url}",
        )
        if not self.process.is_running():
            raise RuntimeError(f"ckw2mqtt exited with {self.process.exit_code()}:\n{self.process.log_tail()}")

    def stop(self) -> None:
        self.process.stop()


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True  # 503 while not logged in: it listens
    except OSError:
        return False


def post(url: str, body: dict | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """A POST as the page's script sends it (or without what it must carry); returns status and JSON."""
    request = urllib.request.Request(
        url, data=json.dumps(body or {}).encode(), method="POST",
        headers={"Content-Type": "application/json"} | (headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class _Server:
    """A ThreadingHTTPServer on a free loopback port, serving in a thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class LandingPage(_Server):
    """Where CKW's login redirect ends when the registered redirect URI is not the bridge: a page
    that does not know the login, as a user's browser would show it."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                body = b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        super().__init__(Handler)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"


class IngressProxy(_Server):
    """Imitates Home Assistant's ingress: serves the bridge under `/api/hassio_ingress/<token>/`,
    strips that prefix and tells the bridge with `X-Ingress-Path`. Remembers what it forwarded."""

    def __init__(self, bridge_host: str, bridge_port: int, token: str = "Xq3-ingress_T0ken") -> None:
        self.prefix = f"/api/hassio_ingress/{token}"
        self.forwarded: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                # Home Assistant opens the panel at the prefix itself, without a trailing slash.
                if self.path != proxy.prefix and not self.path.startswith(proxy.prefix + "/"):
                    self.send_error(404, "not under the ingress prefix")
                    return
                path = self.path[len(proxy.prefix):] or "/"
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() in ("content-type", "x-csrf-token", "authorization", "accept", "cookie")}
                headers["X-Ingress-Path"] = proxy.prefix
                connection = http.client.HTTPConnection(bridge_host, bridge_port, timeout=30)
                connection.request(self.command, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
                proxy.forwarded.append(f"{self.command} {path}")
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                connection.close()

            do_GET = _forward  # noqa: N815
            do_POST = _forward  # noqa: N815

            def log_message(self, *_: object) -> None:
                pass

        super().__init__(Handler)

    @property
    def url(self) -> str:
        """The page's address as Home Assistant's panel opens it: the prefix without a trailing slash,
        so that only the page's `<base>` (from `X-Ingress-Path`) keeps its relative URLs under it."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"


def chromium_driver(window: tuple[int, int] = (1000, 1000)):
    """Headless Chromium from Debian's packages, driven through chromium-driver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if chromium is None or not os.access(driver_path, os.X_OK):
        raise RuntimeError("chromium and chromium-driver are needed: install the Debian packages (scripts/install-debian-packages)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={window[0]},{window[1]}", "--lang=en-US", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


class NetworkNamespace:
    """A network namespace joined to this host by a veth pair with two private addresses: a client in
    it reaches the bridge from a real non-loopback address. Needs root and `ip` (iproute2)."""

    def __init__(self) -> None:
        suffix = os.getpid() % 100000
        self.name = f"ckw2mqtt-web-{suffix}"
        self.host_interface = f"ckwh{suffix}"
        self.namespace_interface = f"ckwn{suffix}"
        # A /30 out of 10.0.0.0/8 that no route of this machine uses.
        self.host_address, self.client_address = self._free_pair()

    @staticmethod
    def _free_pair() -> tuple[str, str]:
        routes = subprocess.run(["ip", "-4", "route", "show", "table", "all"], capture_output=True, text=True).stdout
        for third in range(200, 255):
            prefix = f"10.231.{third}."
            if prefix not in routes:
                return f"{prefix}1", f"{prefix}2"
        raise RuntimeError("no free 10.231.x.0/30 for the test namespace")

    def create(self) -> None:
        commands = [
            ["ip", "netns", "add", self.name],
            ["ip", "link", "add", self.host_interface, "type", "veth", "peer", "name", self.namespace_interface, "netns", self.name],
            ["ip", "addr", "add", f"{self.host_address}/30", "dev", self.host_interface],
            ["ip", "link", "set", self.host_interface, "up"],
            ["ip", "-n", self.name, "addr", "add", f"{self.client_address}/30", "dev", self.namespace_interface],
            ["ip", "-n", self.name, "link", "set", self.namespace_interface, "up"],
            ["ip", "-n", self.name, "link", "set", "lo", "up"],
        ]
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                self.delete()
                raise OSError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")

    def delete(self) -> None:
        # Deleting the namespace deletes its end of the veth pair, and with it the host's end.
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        subprocess.run(["ip", "link", "del", self.host_interface], capture_output=True)

    def request(self, method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None) -> tuple[int, str]:
        """An HTTP request made from inside the namespace; returns status and body."""
        script = (
            "import sys, json, urllib.request, urllib.error\n"
            "a = json.loads(sys.argv[1])\n"
            "r = urllib.request.Request(a['url'], data=a['body'].encode() if a['body'] is not None else None, method=a['method'], headers=a['headers'])\n"
            "try:\n"
            "    s = urllib.request.urlopen(r, timeout=20); print(json.dumps([s.status, s.read().decode()]))\n"
            "except urllib.error.HTTPError as e:\n"
            "    print(json.dumps([e.code, e.read().decode()]))\n"
        )
        arguments = json.dumps({"url": url, "method": method, "headers": headers or {},
                                "body": body.decode() if body is not None else None})
        result = subprocess.run(["ip", "netns", "exec", self.name, sys.executable, "-c", script, arguments],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"the request from the namespace failed: {result.stderr.strip()}")
        status, text = json.loads(result.stdout)
        return status, text
