"""Home Assistant's REST and websocket APIs, as the frontend uses them."""

import asyncio
from typing import Any

import aiohttp
import requests

REQUEST_TIMEOUT = 30


class HomeAssistantError(RuntimeError):
    pass


class HomeAssistantClient:
    """Talks to one Home Assistant with a bearer token (None only for the onboarding calls)."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def with_token(self, token: str) -> "HomeAssistantClient":
        return HomeAssistantClient(self.base_url, token)

    # REST

    def get(self, path: str) -> Any:
        response = requests.get(self.base_url + path, headers=self._headers(), timeout=REQUEST_TIMEOUT)
        return self._json(response)

    def post(self, path: str, body: Any = None, *, form: dict[str, str] | None = None) -> Any:
        response = requests.post(
            self.base_url + path,
            json=body if form is None else None,
            data=form,
            headers=self._headers(),
            timeout=REQUEST_TIMEOUT,
        )
        return self._json(response)

    def states(self) -> dict[str, dict[str, Any]]:
        """Every entity's state object (`state`, `attributes`, ...) by entity id."""
        return {state["entity_id"]: state for state in self.get("/api/states")}

    # Websocket

    def command(self, command_type: str, **fields: Any) -> Any:
        """Runs one websocket command and returns its `result`."""
        return self.commands({"type": command_type, **fields})[0]

    def commands(self, *messages: dict[str, Any]) -> list[Any]:
        """Runs websocket commands in order over one connection and returns their results."""
        return asyncio.run(self._run_commands(messages))

    async def _run_commands(self, messages: tuple[dict[str, Any], ...]) -> list[Any]:
        if self.token is None:
            raise HomeAssistantError("the websocket API needs a token")
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.ws_connect(self.base_url + "/api/websocket") as socket:
                await self._authenticate(socket)
                results = []
                for number, message in enumerate(messages, start=1):
                    await socket.send_json({"id": number, **message})
                    reply = await self._reply(socket, number)
                    if not reply.get("success"):
                        raise HomeAssistantError(f"{message['type']} failed: {reply.get('error')}")
                    results.append(reply.get("result"))
                return results

    async def _authenticate(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        greeting = await socket.receive_json()
        if greeting.get("type") != "auth_required":
            raise HomeAssistantError(f"unexpected websocket greeting {greeting}")
        await socket.send_json({"type": "auth", "access_token": self.token})
        answer = await socket.receive_json()
        if answer.get("type") != "auth_ok":
            raise HomeAssistantError(f"websocket authentication failed: {answer}")

    @staticmethod
    async def _reply(socket: aiohttp.ClientWebSocketResponse, number: int) -> dict[str, Any]:
        # Nothing is subscribed, so the only other messages could be pings or events of earlier ids.
        while True:
            message = await socket.receive_json()
            if message.get("id") == number and message.get("type") == "result":
                return message

    def _headers(self) -> dict[str, str]:
        return {} if self.token is None else {"Authorization": f"Bearer {self.token}"}

    @staticmethod
    def _json(response: requests.Response) -> Any:
        if not response.ok:
            raise HomeAssistantError(f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None
