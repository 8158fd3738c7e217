"""Takes docs/images/home-assistant.png: a real Home Assistant fed by `ckw2mqtt demo`, photographed by
headless Chromium on the device page of a metering point. Run through scripts/screenshot-home-assistant,
which builds ckw2mqtt and provides the Python environment.

Reuses the end-to-end tests' helpers (private mosquitto, Home Assistant start and onboarding, the
demo bridge); what is added here is what a browser needs: the frontend, a login without a password
(trusted_networks for 127.0.0.1 only, on an instance that is deleted afterwards) and a finished
onboarding."""

import argparse
import asyncio
import base64
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import requests

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "Tests" / "EndToEnd"))

from e2e.bridge import DemoBridge  # noqa: E402
from e2e.home_assistant import PASSWORD, USERNAME, HomeAssistantInstance, configuration_yaml  # noqa: E402
from e2e.expectations import BRIDGE_NODE_ID  # noqa: E402
from e2e.home_assistant_client import HomeAssistantClient  # noqa: E402
from e2e.mosquitto import MosquittoBroker  # noqa: E402
from e2e.polling import wait_until  # noqa: E402
from e2e.registries import mqtt_devices  # noqa: E402

# Two households: the first has solar panels, so the picture shows import and export.
METERS = 2
SPEED = 60
WIDTH, HEIGHT = 1280, 900
# Logging in, loading the frontend and connecting its websocket take seconds on a busy machine.
PAGE_TIMEOUT = 120
# After the content is there: the cards' fade-in and the history graph.
SETTLE_SECONDS = 3
# History the Energy dashboard shows: the statistics backfill of the first start.
BACKFILL_DAYS = 7


def browser_configuration(port: int, database: Path) -> str:
    """The tests' configuration plus the frontend, the config panel the device page lives in, and a
    login that lets a browser on 127.0.0.1 in without a password."""
    base = configuration_yaml(port, database).replace("  name: ckw2mqtt end-to-end test", "  name: Home")
    auth = """\
  auth_providers:
    - type: trusted_networks
      trusted_networks:
        - 127.0.0.1/32
      allow_bypass_login: true
    - type: homeassistant
"""
    base = base.replace("  language: en\n", "  language: en\n" + auth, 1)
    return base + "\nfrontend:\nconfig:\nhistory:\nlogbook:\n"


def finish_onboarding(client: HomeAssistantClient) -> None:
    """The steps after the owner: without them the frontend shows the onboarding wizard. The last one
    wants a token that came from a login, so the owner logs in once as in the browser."""
    done = {step["step"] for step in client.get("/api/onboarding") if step["done"]}
    if "core_config" not in done:
        client.post("/api/onboarding/core_config")
    if "analytics" not in done:
        client.post("/api/onboarding/analytics")
    if "integration" not in done:
        client_id = client.base_url + "/"
        flow = client.post("/auth/login_flow", {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id})
        result = client.post(f"/auth/login_flow/{flow['flow_id']}", {"client_id": client_id, "username": USERNAME, "password": PASSWORD})
        tokens = client.post("/auth/token", form={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id})
        client.with_token(tokens["access_token"]).post("/api/onboarding/integration", {"client_id": client_id, "redirect_uri": client_id})


def with_statistics(bridge: DemoBridge, client: HomeAssistantClient, directory: Path) -> None:
    """Lets the demo import long-term statistics (what the Energy dashboard should use), with a week of
    backfill so the dashboard has history."""
    token_file = directory / "home-assistant-token"
    token_file.write_text(client.token + "\n")
    token_file.chmod(0o600)
    settings = {
        "homeassistant.statistics.enabled": "true",
        "homeassistant.statistics.url": client.base_url,
        "homeassistant.statistics.token_file": str(token_file),
        "homeassistant.statistics.backfill": f"{BACKFILL_DAYS}d",
    }
    bridge.process.argv += [argument for key, value in settings.items() for argument in ("--set", f"{key}={value}")]


def set_up_energy_dashboard(client: HomeAssistantClient, metering_points: list[str]) -> list[str]:
    """Grid consumption and return from the statistics, as the dashboard's dialogs save them; returns
    the statistic ids once Home Assistant has rows for each."""
    imported = [f"ckw2mqtt:{id.lower()}_import" for id in metering_points]
    exported = [f"ckw2mqtt:{metering_points[0].lower()}_export"]  # the household with solar panels

    def with_rows() -> set[str]:
        rows = client.command("recorder/statistics_during_period", start_time="2000-01-01T00:00:00Z",
                              statistic_ids=imported + exported, period="day", types=["sum"])
        return {id for id, days in rows.items() if days}

    wait_until(with_rows, lambda found: found == set(imported + exported), timeout=180,
               what="the statistics import to reach Home Assistant")
    grid = {
        "type": "grid",
        "flow_from": [{"stat_energy_from": id, "stat_cost": None, "entity_energy_price": None, "number_energy_price": None} for id in imported],
        "flow_to": [{"stat_energy_to": id, "stat_compensation": None, "entity_energy_price": None, "number_energy_price": None} for id in exported],
        "cost_adjustment_day": 0,
    }
    client.command("energy/save_prefs", energy_sources=[grid], device_consumption=[])
    return imported + exported


def sensor_values(client: HomeAssistantClient, device_id: str) -> dict[str, str]:
    entries = client.command("config/entity_registry/list")
    ids = {entry["entity_id"] for entry in entries if entry.get("device_id") == device_id}
    return {id: state["state"] for id, state in client.states().items() if id in ids and id.startswith("sensor.")}


def has_energy_values(values: dict[str, str]) -> bool:
    def number(text: str) -> bool:
        try:
            float(text)
            return True
        except ValueError:
            return False
    return any(id.endswith("_total") and number(state) and float(state) > 0 for id, state in values.items())


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("chromium not found: apt-get install chromium")
    return found


# Collects the text of the page including the shadow roots the frontend's components render into.
PAGE_TEXT = """(() => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
    if (node.nodeName === "STYLE" || node.nodeName === "SCRIPT") return;
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) walk(child);
  };
  walk(document);
  return parts.join(" ").replace(/\\s+/g, " ");
})()"""


class Browser:
    """Headless Chromium driven over the DevTools protocol: load a page, wait until it shows what it
    should (a page that is still loading would make a useless picture), take the screenshot."""

    def __init__(self, profile: Path) -> None:
        self.process = subprocess.Popen(
            [
                chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{HEIGHT}", "--remote-debugging-port=0", "about:blank",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        # Chromium writes the port it chose into the profile once it listens.
        port_file = profile / "DevToolsActivePort"
        port = wait_until(lambda: port_file.read_text().split("\n")[0], str.isdigit, timeout=60,
                          what="Chromium to open its DevTools port")
        targets = wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json(),
                             lambda found: any(target["type"] == "page" for target in found), timeout=30,
                             what="Chromium's first tab")
        self.socket_url = next(target for target in targets if target["type"] == "page")["webSocketDebuggerUrl"]

    def screenshot(self, url: str, output: Path, expected: list[str]) -> None:
        asyncio.run(self._screenshot(url, output, expected))

    async def _screenshot(self, url: str, output: Path, expected: list[str]) -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(self.socket_url, max_msg_size=0) as socket:
            self._socket, self._number = socket, 0
            await self._call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
            await self._call("Page.navigate", url=url)
            deadline = time.monotonic() + PAGE_TIMEOUT
            text = ""
            while not all(part in text for part in expected):
                if time.monotonic() > deadline:
                    # What it showed instead, to see why.
                    await self._save_screenshot(output.with_suffix(".failed.png"))
                    raise RuntimeError(f"the page never showed {expected}; it showed: {text[:2000]}")
                await asyncio.sleep(0.5)
                text = (await self._call("Runtime.evaluate", expression=PAGE_TEXT, returnByValue=True))["result"].get("value", "")
            # The cards fade in and the history graph draws after its data arrived.
            await asyncio.sleep(SETTLE_SECONDS)
            await self._save_screenshot(output)

    async def _save_screenshot(self, output: Path) -> None:
        shot = await self._call("Page.captureScreenshot", format="png")
        output.write_bytes(base64.b64decode(shot["data"]))

    async def _call(self, method: str, **params):
        self._number += 1
        await self._socket.send_json({"id": self._number, "method": method, "params": params})
        while True:
            message = await self._socket.receive_json()
            if message.get("id") == self._number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPOSITORY / "docs" / "images" / "home-assistant.png")
    parser.add_argument("--energy-output", type=Path, default=REPOSITORY / "docs" / "images" / "home-assistant-energy.png")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs) afterwards")
    arguments = parser.parse_args()

    run_directory = Path(tempfile.mkdtemp(prefix="ckw2mqtt-screenshot-"))
    broker = MosquittoBroker(run_directory / "mosquitto")
    instance = HomeAssistantInstance(run_directory / "home-assistant")
    (instance.config_directory / "configuration.yaml").write_text(
        browser_configuration(instance.port, instance.config_directory / "home-assistant_v2.db"))
    bridge = None
    try:
        broker.start()
        client = instance.start()
        finish_onboarding(client)
        instance.configure_mqtt(broker.host, broker.port)
        bridge = DemoBridge(run_directory / "ckw2mqtt", broker.host, broker.port, meters=METERS, speed=SPEED)
        with_statistics(bridge, client, run_directory / "ckw2mqtt")
        bridge.start()

        def meter_devices():
            return {id: device for id, device in mqtt_devices(client).items() if id != BRIDGE_NODE_ID}

        devices = wait_until(lambda: bridge.alive_and(meter_devices), lambda found: len(found) == METERS,
                             timeout=120, what=f"Home Assistant to show {METERS} metering point devices")
        # The household with solar panels: its page shows both directions.
        device = devices[sorted(devices)[0]]
        values = wait_until(lambda: bridge.alive_and(lambda: sensor_values(client, device["id"])), has_energy_values,
                            timeout=120, what="the metering point's energy sensors to have values")
        print(f"device {device['name']}: {len(values)} sensors", file=sys.stderr)
        metering_points = [identifier.removeprefix("ckw2mqtt_") for identifier in sorted(devices)]
        statistics = set_up_energy_dashboard(client, metering_points)
        print(f"Energy dashboard: {len(statistics)} statistics", file=sys.stderr)

        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        browser = Browser(run_directory / "chromium")
        try:
            # The device's name and one of its sensors' values: the page is logged in and rendered.
            browser.screenshot(f"{instance.base_url}/config/devices/device/{device['id']}", arguments.output,
                               expected=[device["name"], "Sensors"])
            browser.screenshot(f"{instance.base_url}/energy", arguments.energy_output, expected=["Electricity usage", "Grid total"])
        finally:
            browser.close()
        for output in (arguments.output, arguments.energy_output):
            print(f"wrote {output} ({output.stat().st_size // 1024} KiB)", file=sys.stderr)
    finally:
        if bridge is not None:
            bridge.stop()
        instance.stop()
        broker.stop()
        if arguments.keep:
            print(f"logs in {run_directory}", file=sys.stderr)
        else:
            shutil.rmtree(run_directory, ignore_errors=True)


if __name__ == "__main__":
    main()
