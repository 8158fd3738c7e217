"""A stand-in for the Home Assistant Supervisor's API as an add-on sees it, on a free loopback port:

- `GET /addons/self/options/config`: the add-on's options (what bashio::config reads);
- `GET /services/mqtt`: the broker an MQTT add-on provides (what bashio::services reads);
- `/core/api/websocket` and `/core/websocket`: the proxy to Home Assistant's websocket API. Like the
  Supervisor, it answers the add-on's authentication itself (the add-on's token, not a Home
  Assistant token), then connects to Home Assistant with a token of its own and passes every
  message through in both directions.

Every request must carry the add-on's token (`Authorization: Bearer`), as the Supervisor demands."""

import asyncio
import secrets
import threading
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web

from .ports import free_loopback_port


class SupervisorStandIn:
    def __init__(self, options: Mapping[str, Any] | None, mqtt_service: Mapping[str, Any] | None, home_assistant_url: str, home_assistant_token: str) -> None:
        """`options` None: the Supervisor fails to answer for them; `mqtt_service` None: no add-on
        provides MQTT."""
        self.options = None if options is None else dict(options)
        self.mqtt_service = None if mqtt_service is None else dict(mqtt_service)
        self.home_assistant_url = home_assistant_url.rstrip("/")
        self.home_assistant_token = home_assistant_token
        self.addon_token = secrets.token_hex(32)
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # What the add-on asked for, for the tests' failure messages and checks.
        self.requests: list[str] = []
        self.websocket_logins: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="supervisor stand-in", daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._authenticate])
        app.router.add_get("/addons/self/options/config", self._options)
        app.router.add_get("/services/mqtt", self._mqtt)
        app.router.add_get("/core/api/websocket", self._websocket)
        app.router.add_get("/core/websocket", self._websocket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        # The websocket proxy authenticates inside the socket, as the Supervisor's does.
        if request.path.endswith("websocket"):
            return await handler(request)
        if request.headers.get("Authorization") != f"Bearer {self.addon_token}":
            return web.json_response({"result": "error", "message": "Unauthorized"}, status=401)
        return await handler(request)

    async def _options(self, _request: web.Request) -> web.Response:
        if self.options is None:
            return web.json_response({"result": "error", "message": "Unexpected error"}, status=500)
        return web.json_response({"result": "ok", "data": self.options})

    async def _mqtt(self, _request: web.Request) -> web.Response:
        if self.mqtt_service is None:
            return web.json_response({"result": "error", "message": "Service not enabled"}, status=400)
        return web.json_response({"result": "ok", "data": self.mqtt_service})

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        addon = web.WebSocketResponse()
        await addon.prepare(request)
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"{self.home_assistant_url}/api/websocket") as core:
                # Home Assistant's handshake, with the stand-in's own token.
                hello = await core.receive_json(timeout=10)
                await core.send_json({"type": "auth", "access_token": self.home_assistant_token})
                if (await core.receive_json(timeout=10)).get("type") != "auth_ok":
                    raise RuntimeError("Home Assistant refused the stand-in's token")
                # The add-on's handshake, answered here.
                await addon.send_json({"type": "auth_required", "ha_version": hello.get("ha_version")})
                login = await addon.receive_json(timeout=10)
                token = login.get("access_token") or login.get("api_password") or ""
                self.websocket_logins.append("accepted" if token == self.addon_token else "refused")
                if token != self.addon_token:
                    await addon.send_json({"type": "auth_invalid", "message": "Invalid access"})
                    await addon.close()
                    return addon
                await addon.send_json({"type": "auth_ok", "ha_version": hello.get("ha_version")})
                await asyncio.gather(self._pass(addon, core), self._pass(core, addon))
        return addon

    @staticmethod
    async def _pass(source: Any, destination: Any) -> None:
        async for message in source:
            if message.type == aiohttp.WSMsgType.TEXT:
                await destination.send_str(message.data)
            elif message.type == aiohttp.WSMsgType.BINARY:
                await destination.send_bytes(message.data)
            else:
                break
        await destination.close()

    def describe(self) -> str:
        return f"requests {self.requests[-20:]}, websocket logins {self.websocket_logins}"
