"""The bridge's web page in a real browser (headless Chromium through Selenium) against `ckw2mqtt run`
and the CKW simulator with its login page: log in by pasting the address, see the meter, log out;
the same behind a prefix as Home Assistant's ingress serves it; the callback that completes a login
by itself; and who may not act: a client on another address without the password, a POST without
the page's CSRF token. The run saves the README's screenshots to docs/images."""

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.bridge import REPOSITORY
from e2e.mosquitto import MosquittoBroker
from e2e.mqtt_observer import MqttObserver
from e2e.polling import wait_until
from e2e.web import IngressProxy, LandingPage, NetworkNamespace, Simulator, WebBridge, chromium_driver, post

selenium = pytest.importorskip("selenium", reason="selenium is in Tests/EndToEnd/requirements.txt")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402

TIMEOUT = 60
SCREENSHOTS = REPOSITORY / "docs" / "images"


@pytest.fixture(scope="module")
def simulator(run_directory: Path) -> Iterator[Simulator]:
    simulator = Simulator(run_directory / "web-simulator")
    try:
        simulator.start()
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture(scope="module")
def landing_page() -> Iterator[LandingPage]:
    page = LandingPage()
    try:
        yield page
    finally:
        page.stop()


@pytest.fixture(scope="module")
def web_bridge(run_directory: Path, simulator: Simulator, broker: MosquittoBroker, landing_page: LandingPage) -> Iterator[WebBridge]:
    """Logs in with the paste flow: the registered redirect URI is a page that knows nothing of the login."""
    bridge = WebBridge(run_directory / "web-bridge", simulator, broker.host, broker.port, redirect_uri=landing_page.redirect_uri)
    try:
        bridge.start()
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture(scope="module")
def mqtt_web(broker: MosquittoBroker) -> Iterator[MqttObserver]:
    observer = MqttObserver(broker.host, broker.port, ["ckw2mqtt-web/#"])
    try:
        yield observer
    finally:
        observer.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = chromium_driver()
    try:
        yield driver
    finally:
        driver.quit()


# MARK: - Helpers


def text(driver: WebDriver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def visible(driver: WebDriver, element_id: str) -> bool:
    return driver.find_element(By.ID, element_id).is_displayed()


def wait_for_text(driver: WebDriver, element_id: str, expected: str, timeout: float = TIMEOUT) -> str:
    return wait_until(lambda: text(driver, element_id), lambda seen: seen == expected, timeout=timeout,
                      what=f"#{element_id} to read {expected!r}")


def login_at_ckw(driver: WebDriver, redirect_prefix: str) -> str:
    """Follows the page's CKW link in a new tab, logs in on the simulator's login page and returns the
    address the browser ends on, as a user copies it from the address bar."""
    page_window = driver.current_window_handle
    link = driver.find_element(By.ID, "login-link")
    assert link.get_attribute("target") == "_blank"
    link.click()
    wait_until(lambda: len(driver.window_handles), lambda count: count == 2, timeout=TIMEOUT, what="the CKW login tab")
    driver.switch_to.window(next(handle for handle in driver.window_handles if handle != page_window))
    wait_until(lambda: driver.find_element(By.ID, "username"), lambda field: field is not None, timeout=TIMEOUT,
               what="the simulator's login form")
    driver.find_element(By.ID, "username").send_keys(Simulator.USER)
    driver.find_element(By.ID, "password").send_keys(Simulator.PASSWORD)
    driver.find_element(By.ID, "kc-login").click()
    address = wait_until(lambda: driver.current_url, lambda url: url.startswith(redirect_prefix), timeout=TIMEOUT,
                         what=f"the login to redirect to {redirect_prefix}")
    driver.close()
    driver.switch_to.window(page_window)
    return address


def published_import_total(mqtt: MqttObserver, metering_point: str) -> float:
    state = mqtt.json(f"ckw2mqtt-web/{metering_point}/state") or {}
    return state.get("energy_import_total")


def shown_meter(driver: WebDriver) -> tuple[str, str]:
    card = driver.find_element(By.CSS_SELECTOR, ".meter")
    total = card.find_element(By.CSS_SELECTOR, '[data-field="import_total"]').text
    return card.get_attribute("data-metering-point"), total


def meter_data_requests(bridge: WebBridge) -> float:
    """The bridge's count of meter data requests answered 200, from /metrics."""
    with urllib.request.urlopen(bridge.url + "metrics", timeout=10) as response:
        metrics = response.read().decode()
    found = re.search(r'^ckw2mqtt_ckw_requests_total\{endpoint="meter_data",status="200"\} (\S+)$', metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def paste_login(driver: WebDriver, landing_page: LandingPage, screenshot: Path | None = None) -> None:
    driver.find_element(By.ID, "login-button").click()
    wait_until(lambda: visible(driver, "login-step"), bool, timeout=TIMEOUT, what="the login step")
    assert visible(driver, "paste-step") and not visible(driver, "callback-step"), \
        "a redirect URI elsewhere needs the paste step"
    assert text(driver, "redirect-uri") == landing_page.redirect_uri
    if screenshot:
        driver.save_screenshot(str(screenshot))
    address = login_at_ckw(driver, landing_page.redirect_uri)
    assert "code=" in address and "state=" in address
    driver.find_element(By.ID, "address").send_keys(address)
    driver.find_element(By.ID, "complete-button").click()
    wait_until(lambda: text(driver, "message"), lambda seen: seen.startswith("Logged in."), timeout=TIMEOUT,
               what="the page to confirm the login")


def log_out(driver: WebDriver) -> None:
    driver.find_element(By.ID, "logout-button").click()
    assert visible(driver, "logout-confirm"), "logging out asks first"
    driver.find_element(By.ID, "logout-yes").click()
    wait_for_text(driver, "login-state", "Not logged in")
    assert text(driver, "message").startswith("Logged out")


# MARK: - Tests


def test_log_in_by_pasting_see_the_meter_and_log_out(browser: WebDriver, web_bridge: WebBridge, landing_page: LandingPage,
                                                     mqtt_web: MqttObserver) -> None:
    browser.get(web_bridge.url)
    wait_for_text(browser, "login-state", "Not logged in")
    assert not web_bridge.tokens.exists()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paste_login(browser, landing_page, screenshot=SCREENSHOTS / "web-login.png")
    assert web_bridge.tokens.exists()
    # The running bridge takes the login at once: no restart, no SIGHUP.
    wait_for_text(browser, "login-state", "Logged in")
    metering_point, total = wait_until(
        lambda: shown_meter(browser), lambda seen: re.fullmatch(r"\d+\.\d{3} kWh", seen[1]) is not None,
        timeout=TIMEOUT, what="the meter's import total on the page")
    published = wait_until(lambda: published_import_total(mqtt_web, metering_point), lambda value: value is not None,
                           timeout=TIMEOUT, what="the bridge to publish the meter's state")
    # The page refreshes itself; both show the same total once the page has caught up.
    wait_until(lambda: (shown_meter(browser)[1], published_import_total(mqtt_web, metering_point)),
               lambda seen: seen[0] == f"{seen[1]:.3f} kWh", timeout=TIMEOUT,
               what=f"the page to show the published total {published}")
    assert text(browser, "mqtt") == "connected"
    assert text(browser, "last-fetch") != "–"
    assert "left" in text(browser, "requests")
    browser.save_screenshot(str(SCREENSHOTS / "web-status.png"))

    # "Fetch now" asks CKW at once, although the next poll is minutes away.
    requests_before = meter_data_requests(web_bridge)
    browser.find_element(By.ID, "fetch-button").click()
    wait_until(lambda: text(browser, "message"), lambda seen: seen.startswith("Fetching now"), timeout=TIMEOUT,
               what="the page to confirm the fetch")
    wait_until(lambda: meter_data_requests(web_bridge), lambda count: count > requests_before, timeout=TIMEOUT,
               what=f"a meter data request after 'Fetch now' (before: {requests_before})")

    log_out(browser)
    assert not web_bridge.tokens.exists()
    info = wait_until(lambda: mqtt_web.json("ckw2mqtt-web/bridge/info") or {}, lambda seen: seen.get("auth") == "login_required",
                      timeout=TIMEOUT, what="bridge/info to say login_required after the logout")
    assert info["last_error"]
    wait_until(lambda: mqtt_web.text(f"ckw2mqtt-web/{metering_point}/availability"), lambda seen: seen == "offline",
               timeout=TIMEOUT, what="the meter to go offline after the logout")


def test_the_same_behind_home_assistant_ingress(browser: WebDriver, web_bridge: WebBridge, landing_page: LandingPage) -> None:
    proxy = IngressProxy("127.0.0.1", web_bridge.port)
    try:
        browser.get(proxy.url)
        wait_until(lambda: text(browser, "login-state"), lambda seen: seen in ("Not logged in", "Logged in"),
                   timeout=TIMEOUT, what="the page behind the ingress prefix")
        assert browser.execute_script("return document.baseURI") == proxy.url + "/"
        if text(browser, "login-state") == "Logged in":
            log_out(browser)
        paste_login(browser, landing_page)
        wait_for_text(browser, "login-state", "Logged in")
        log_out(browser)
        # Every request of the page went through the prefix: nothing escaped to the bridge's root.
        assert {"GET /", "GET /app.js", "GET /style.css", "GET /api/status", "POST /api/login",
                "POST /api/login/complete", "POST /api/logout"} <= set(proxy.forwarded)
    finally:
        proxy.stop()


def test_a_post_without_the_csrf_token_is_refused(web_bridge: WebBridge, browser: WebDriver) -> None:
    browser.get(web_bridge.url)
    token = wait_until(lambda: browser.find_element(By.CSS_SELECTOR, 'meta[name="csrf-token"]').get_attribute("content"),
                       bool, timeout=TIMEOUT, what="the page's CSRF token")
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": token[:-1]}):
        for path in ("api/login", "api/fetch", "api/logout"):
            status, answer = post(web_bridge.url + path, headers=headers)
            assert status == 403, f"POST {path} with {headers} answered {status}"
            assert "CSRF" in answer["error"]
    status, answer = post(web_bridge.url + "api/login", headers={"X-CSRF-Token": token})
    assert status == 200 and answer["login_url"].startswith("http://127.0.0.1:")
    # A site whose name an attacker points at 127.0.0.1 (DNS rebinding) is not "this machine".
    status, answer = post(web_bridge.url + "api/login", headers={"X-CSRF-Token": token, "Host": f"attacker.example:{web_bridge.port}"})
    assert status == 403 and "localhost" in answer["error"]


def test_the_callback_completes_the_login_by_itself(run_directory: Path, simulator: Simulator, broker: MosquittoBroker,
                                                     web_bridge: WebBridge, browser: WebDriver) -> None:
    """With the redirect URI registered at the page's callback, nothing needs pasting."""
    web_bridge.stop()
    bridge = WebBridge(run_directory / "web-bridge-callback", simulator, broker.host, broker.port,
                       name="ckw2mqtt-callback", base_topic="ckw2mqtt-callback")
    try:
        bridge.start()
        browser.get(bridge.url)
        wait_for_text(browser, "login-state", "Not logged in")
        browser.find_element(By.ID, "login-button").click()
        wait_until(lambda: visible(browser, "login-step"), bool, timeout=TIMEOUT, what="the login step")
        assert visible(browser, "callback-step") and not visible(browser, "paste-step")
        login_at_ckw(browser, bridge.url)
        # The login tab came back to the page; the page here notices the new login by itself.
        wait_for_text(browser, "login-state", "Logged in")
        assert bridge.tokens.exists()
    finally:
        bridge.stop()
        web_bridge.start()


@pytest.fixture(scope="module")
def namespace() -> Iterator[NetworkNamespace]:
    namespace = NetworkNamespace()
    try:
        namespace.create()
    except (OSError, FileNotFoundError) as error:
        pytest.skip(f"cannot create a network namespace for a non-loopback client (needs root and iproute2): {error}")
    try:
        yield namespace
    finally:
        namespace.delete()


def test_a_client_on_another_address_may_only_look(run_directory: Path, simulator: Simulator, broker: MosquittoBroker,
                                                   namespace: NetworkNamespace, tmp_path: Path) -> None:
    """The bridge listens on the host's end of a veth pair; the client is in the namespace, at another address."""
    password_file = tmp_path / "web_password"
    password_file.write_text("s3cret pass\n")
    bridge = WebBridge(run_directory / "web-bridge-netns", simulator, broker.host, broker.port, name="ckw2mqtt-netns",
                       http_host=namespace.host_address, base_topic="ckw2mqtt-netns",
                       redirect_uri="http://127.0.0.1/callback")
    try:
        bridge.start()
        status, page = namespace.request("GET", bridge.url)
        assert status == 200, "anyone who reaches the port sees the status"
        assert 'name="csrf-token" content=""' in page, "the CSRF token is not handed to a client that may not act"
        status, body = namespace.request("GET", bridge.url + "api/status")
        assert status == 200 and '"can_act":false' in body and "http.auth.password_file" in body
        for path in ("api/login", "api/logout", "api/fetch", "callback?state=x&code=y"):
            method = "GET" if path.startswith("callback") else "POST"
            status, body = namespace.request(method, bridge.url + path, {"Content-Type": "application/json"}, b"{}" if method == "POST" else None)
            assert status == 403, f"{method} {path} from {namespace.client_address} answered {status}"
            assert "http.auth.username" in body and "http.auth.password_file" in body
    finally:
        bridge.stop()

    # With a password configured, the same client may act once it presents it (basic auth).
    bridge.process.argv += ["--set", "http.auth.username=owner", "--set", f"http.auth.password_file={password_file}"]
    try:
        bridge.start()
        status, body = namespace.request("POST", bridge.url + "api/login", {"Content-Type": "application/json"}, b"{}")
        assert status == 401, "without the password the browser is asked for it"
        status, page = namespace.request("GET", bridge.url, {"Authorization": _basic("owner", "s3cret pass")})
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        wrong = {"Authorization": _basic("owner", "wrong"), "X-CSRF-Token": token, "Content-Type": "application/json"}
        assert namespace.request("POST", bridge.url + "api/login", wrong, b"{}")[0] == 401
        right = wrong | {"Authorization": _basic("owner", "s3cret pass")}
        status, body = namespace.request("POST", bridge.url + "api/login", right, b"{}")
        assert status == 200 and "login_url" in body
    finally:
        bridge.stop()

    # Home Assistant's ingress proxy may act without a password: here the namespace plays its part.
    bridge.process.argv += ["--set", f"http.ingress_proxy={namespace.client_address}"]
    try:
        bridge.start()
        status, body = namespace.request("POST", bridge.url + "api/login",
                                         {"Content-Type": "application/json", "X-CSRF-Token": "missing"}, b"{}")
        assert status == 403 and "CSRF" in body, "the proxy passes the access check and meets the CSRF check"
        status, page = namespace.request("GET", bridge.url)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        status, body = namespace.request("POST", bridge.url + "api/login",
                                         {"Content-Type": "application/json", "X-CSRF-Token": token}, b"{}")
        assert status == 200 and "login_url" in body
    finally:
        bridge.stop()


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
