"""A small Telegram Bot API server for tests (aiohttp, 127.0.0.1, its own thread).

It implements what the bot calls, the way Telegram answers it (long-polled getUpdates
with offsets that confirm updates, HTML checked like Telegram does, "message is not
modified", the 4096-character limit), and lets a test play the users:

    api = BotApiEmulator(token).start()
    chat = api.private_chat(user)
    update_id, msg = api.user_message(chat, user, "https://example.org/a")
    api.wait_for(lambda: api.bot_messages(chat["id"]))

Everything the bot called is in ``api.calls`` (method, params, result, monotonic time ``at``).

Faults: ``api.inject_fault("sendMessage", "429", retry_after=2)`` makes the next call of that
method fail once (``times=n`` for more): "429" (Too Many Requests with retry_after), "500"/"502"
(server errors), "hang" (no answer for ``hang_s`` seconds, then the connection is closed: the
client times out first), "drop" (the connection is cut, for getUpdates after ``after_s``
seconds of a long poll). A faulted call is not carried out; ``api.faults_hit`` lists them.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from dataclasses import dataclass
from html import unescape
from typing import Any, Callable

from aiohttp import web

from summarizer.render import utf16_len

BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "Brief",
    "username": "brief_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters PTB sends as plain strings; every other parameter is JSON-encoded.
STRING_PARAMS = {"text", "parse_mode", "callback_query_id", "action", "url", "secret_token", "caption",
                 "inline_message_id", "language_code", "business_connection_id", "message_effect_id"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "span", "blockquote", "tg-emoji"}
MESSAGE_LIMIT = 4096
ADMIN_RIGHTS = dict.fromkeys(
    ["can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
     "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
     "can_edit_stories", "can_delete_stories"], False)


@dataclass
class Fault:
    method: str  # lower case Bot API method, e.g. "sendmessage"
    kind: str  # "429" | "500" | "502" | "hang" | "drop"
    times: int = 1
    retry_after: int = 1
    hang_s: float = 8.0
    after_s: float = 0.2


class ApiError(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def telegram_html_to_text(html: str) -> str:
    """The visible text of Telegram HTML, or ApiError 400 where Telegram would refuse it."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in re.finditer(r"<[^<>]*>|<", html):
        out.append(html[pos:match.start()])
        pos = match.end()
        tag = match.group(0)
        m = re.fullmatch(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>", tag)
        if not m or m.group(2).lower() not in ALLOWED_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag[:20]}\"")
        name = m.group(2).lower()
        if m.group(1):
            if not stack or stack[-1] != name:
                raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag \"{name}\"")
            stack.pop()
        else:
            stack.append(name)
    out.append(html[pos:])
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to \"{stack[-1]}\"")
    text = "".join(out)
    for entity in re.findall(r"&([a-zA-Z]+);", text):
        if entity not in ("lt", "gt", "amp", "quot"):
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported HTML entity \"&{entity};\"")
    return unescape(text)


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram adds by itself: bot commands, @mentions and bare URLs."""
    entities = []
    for kind, pattern in (("bot_command", r"(?<!\S)/[a-zA-Z0-9_]+(@[a-zA-Z0-9_]+)?"),
                          ("mention", r"(?<![\w/])@[a-zA-Z0-9_]{5,}"),
                          ("url", r"https?://[^\s<>\"]+")):
        for m in re.finditer(pattern, text):
            if kind == "mention" and text[: m.start()].endswith("/"):
                continue
            if kind == "bot_command" and m.start() != 0:
                continue
            entities.append({"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))})
    return sorted(entities, key=lambda e: e["offset"])


class BotApiEmulator:
    def __init__(self, token: str, bot_user: dict[str, Any] | None = None):
        self.token = token
        self.bot_user = bot_user or dict(BOT_USER)
        self.base_url = ""
        self.calls: list[dict[str, Any]] = []
        self.commands_by_language: dict[str, list[dict[str, Any]]] = {}  # language_code ("" = default) -> menu
        self.confirmed_offset = 0
        self.get_updates_calls = 0
        self.webhook: dict[str, Any] | None = None  # {"url", "secret_token"} once setWebhook was called
        self.webhook_deliveries = 0
        self._webhook_task: asyncio.Task | None = None
        self._closing = False
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._redeliveries: list[dict[str, Any]] = []
        self._next_update_id = 1000
        self._next_message_id: dict[int, int] = {}
        self._next_callback_id = 1
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat id, message id) -> message
        self.members: dict[tuple[int, int], str] = {}  # (chat id, user id) -> status
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._faults: list[Fault] = []
        self.faults_hit: list[dict[str, Any]] = []  # {"method", "kind", "at"} per faulted call

    # -- server lifecycle ----------------------------------------------------------------
    def start(self) -> "BotApiEmulator":
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_route("*", "/bot{token}/{method}", self._handle)
            self._runner = web.AppRunner(app)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.base_url = f"http://127.0.0.1:{port}"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="bot-api-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("emulator did not start")
        return self

    def stop(self) -> None:
        self._closing = True  # ends long polls at once, so the server shuts down quickly
        if self._loop:
            asyncio.run_coroutine_threadsafe(self._stop_webhook_delivery(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    # -- faults ----------------------------------------------------------------------------
    def inject_fault(self, method: str, kind: str, **options: Any) -> Fault:
        """The next call(s) of ``method`` fail this way (see the module docstring)."""
        fault = Fault(method.lower(), kind, **options)
        with self._cond:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        with self._cond:
            for fault in self._faults:
                if fault.method == method.lower() and fault.times > 0:
                    fault.times -= 1
                    self.faults_hit.append({"method": method, "kind": fault.kind, "at": time.monotonic()})
                    self._cond.notify_all()
                    return fault
        return None

    async def _faulty_answer(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        if fault.kind == "429":
            return web.json_response({"ok": False, "error_code": 429, "description":
                                      f"Too Many Requests: retry after {fault.retry_after}",
                                      "parameters": {"retry_after": fault.retry_after}}, status=429)
        if fault.kind in ("500", "502"):
            code = int(fault.kind)
            return web.json_response({"ok": False, "error_code": code, "description": "Internal Server Error"
                                      if code == 500 else "Bad Gateway"}, status=code)
        await asyncio.sleep(fault.hang_s if fault.kind == "hang" else fault.after_s)
        if request.transport is not None:
            request.transport.abort()  # the connection is cut: no answer at all
        return web.Response(status=500)

    # -- playing the users ---------------------------------------------------------------
    @staticmethod
    def user(user_id: int, name: str = "User", language_code: str | None = None) -> dict[str, Any]:
        """A user; ``language_code`` is their Telegram app's language (IETF tag), absent when None."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    @staticmethod
    def private_chat(user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    @staticmethod
    def group_chat(chat_id: int, title: str = "Group") -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup", "title": title}

    def set_member(self, chat: dict[str, Any], user: dict[str, Any], status: str) -> None:
        with self._cond:
            self.members[(chat["id"], user["id"])] = status

    def user_message(self, chat: dict[str, Any], user: dict[str, Any], text: str = "", *,
                     entities: list[dict[str, Any]] | None = None, caption: bool = False,
                     reply_to: dict[str, Any] | None = None,
                     forward_origin: dict[str, Any] | None = None,
                     deliver: bool = True) -> tuple[int | None, dict[str, Any]]:
        """A user's message (entities as Telegram adds them, plus ``entities``); returns (update id, message).

        ``deliver=False`` posts it without an update, as Telegram does for a bot in privacy mode."""
        with self._cond:
            message: dict[str, Any] = {
                "message_id": self._new_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
            }
            all_entities = sorted(auto_entities(text) + (entities or []), key=lambda e: e["offset"])
            if caption:
                message["photo"] = [{"file_id": "photo1", "file_unique_id": "p1", "width": 90, "height": 90}]
                message["caption"] = text
                if all_entities:
                    message["caption_entities"] = all_entities
            else:
                message["text"] = text
                if all_entities:
                    message["entities"] = all_entities
            if reply_to is not None:
                message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
            if forward_origin is not None:
                message["forward_origin"] = forward_origin
            self.messages[(chat["id"], message["message_id"])] = message
            return (self._push({"message": message}) if deliver else None), message

    def press_button(self, chat: dict[str, Any], user: dict[str, Any], message_id: int, data: str) -> int:
        with self._cond:
            message = self.messages[(chat["id"], message_id)]
            query = {"id": str(self._next_callback_id), "from": user, "message": message,
                     "chat_instance": str(chat["id"]), "data": data}
            self._next_callback_id += 1
            return self._push({"callback_query": query})

    def press_and_answer(self, chat: dict[str, Any], user: dict[str, Any], message_id: int, data: str,
                         timeout: float = 30) -> dict[str, Any]:
        """Press a button (or send any callback data for the message) and wait for the bot's
        ``answerCallbackQuery`` to that press: its parameters."""
        before = len(self.calls_of("answerCallbackQuery"))
        self.press_button(chat, user, message_id, data)
        calls = self.wait_for(lambda: self.calls_of("answerCallbackQuery")[before:], timeout, "the button answer")
        return calls[0]["params"]

    def _push(self, body: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._history[update_id] = {"update_id": update_id, **body}
        self._updates.append(self._history[update_id])
        self._cond.notify_all()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again even though it was acknowledged (a lost acknowledgement)."""
        with self._cond:
            self._redeliveries.append(self._history[update_id])
            self._cond.notify_all()

    def _new_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    # -- what the bot did ----------------------------------------------------------------
    def wait_for(self, condition: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
        """Wait until ``condition()`` is truthy (re-checked after every API call); return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = condition()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = [(c["method"], c["params"].get("chat_id"), str(c["params"].get("text", ""))[:80])
                              for c in self.calls[-15:]]
                    raise AssertionError(f"timed out waiting for {what}; last calls: {recent}")
                self._cond.wait(min(left, 0.1))

    def calls_of(self, method: str, chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return [c for c in self.calls if c["method"] == method
                    and (chat_id is None or c["params"].get("chat_id") == chat_id)]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, as they read now (after edits), oldest first."""
        with self._cond:
            return [m for (cid, _), m in sorted(self.messages.items())
                    if cid == chat_id and m["from"]["id"] == self.bot_user["id"]]

    def replies_to(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        return [m for m in self.bot_messages(chat_id) if m.get("reply_to_message_id") == message_id]

    # -- the API ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if method.lower() == "getupdates":
            return await self._get_updates(request, params)
        fault = self._take_fault(method)
        if fault is not None:
            return await self._faulty_answer(request, fault)
        handler = getattr(self, "api_" + method.lower(), None)
        with self._cond:
            try:
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                result = handler(params)
                body = {"ok": True, "result": result}
            except ApiError as exc:
                body = {"ok": False, "error_code": exc.code, "description": exc.description}
            self.calls.append({"method": method, "params": params, "ok": body["ok"],
                               "result": body.get("result"), "error": body.get("description"),
                               "at": time.monotonic()})
            self._cond.notify_all()
        return web.json_response(body, status=200 if body["ok"] else body["error_code"])

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if key in STRING_PARAMS or not isinstance(value, str):
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    async def _get_updates(self, request: web.Request, params: dict[str, Any]) -> web.StreamResponse:
        """A long poll; a getUpdates fault strikes the poll in flight (before it hands out updates)."""
        if self.webhook:
            return web.json_response({"ok": False, "error_code": 409, "description":
                                      "Conflict: can't use getUpdates method while webhook is active"}, status=409)
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            fault = self._take_fault("getUpdates")
            if fault is not None:
                return await self._faulty_answer(request, fault)
            with self._cond:
                self.get_updates_calls += 1
                if offset:  # asking from `offset` confirms every earlier update
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                    self.confirmed_offset = max(self.confirmed_offset, offset)
                    self._cond.notify_all()
                ready = self._redeliveries + list(self._updates[: int(params.get("limit") or 100)])
                self._redeliveries = []
            if ready or time.monotonic() >= deadline or self._closing:
                return web.json_response({"ok": True, "result": ready})
            await asyncio.sleep(0.02)

    def _message_from_bot(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = params.get("text", "")
        visible = telegram_html_to_text(text) if params.get("parse_mode") == "HTML" else text
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MESSAGE_LIMIT:  # Telegram counts UTF-16 code units
            raise ApiError(400, "Bad Request: message is too long")
        chat = self._chat(chat_id)
        message: dict[str, Any] = {"message_id": self._new_message_id(chat_id), "date": int(time.time()),
                                   "chat": chat, "from": self.bot_user, "text": visible, "html": text}
        reply = params.get("reply_parameters") or {}
        if reply.get("message_id"):
            message["reply_to_message_id"] = reply["message_id"]
            original = self.messages.get((chat_id, reply["message_id"]))
            if original:
                message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["link_preview_options"] = params.get("link_preview_options")
        return message

    def _chat(self, chat_id: int) -> dict[str, Any]:
        for (cid, _), message in self.messages.items():
            if cid == chat_id:
                return message["chat"]
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}

    def _public(self, message: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if k not in ("html", "reply_to_message_id", "link_preview_options")}

    def api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def api_setwebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_to_webhook())
        return True

    async def _stop_webhook_delivery(self) -> None:
        self.webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except asyncio.CancelledError:
                pass

    async def _deliver_to_webhook(self) -> None:
        """Like Telegram: POST each update, oldest first, until the bot answers 200."""
        import aiohttp

        async with aiohttp.ClientSession() as session:
            while self.webhook:
                with self._cond:
                    update = self._updates[0] if self._updates else None
                    hook = dict(self.webhook)
                if update is None:
                    await asyncio.sleep(0.02)
                    continue
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]} if hook["secret_token"] else {}
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as response:
                        delivered = response.status == 200
                except aiohttp.ClientError:
                    delivered = False
                if delivered:
                    with self._cond:
                        self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                        self.webhook_deliveries += 1
                        self._cond.notify_all()
                else:
                    await asyncio.sleep(0.2)

    def api_setmycommands(self, params: dict[str, Any]) -> bool:
        self.commands_by_language[params.get("language_code") or ""] = params.get("commands") or []
        return True

    def api_sendchataction(self, params: dict[str, Any]) -> bool:
        return True

    def api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_from_bot(params)
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        return self._public(message)

    def api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        old = self.messages.get(key)
        if old is None or old["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        if old["html"] == params.get("text") and old.get("reply_markup") == params.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and "
                                "reply markup are exactly the same as a current content and reply markup of the message")
        new = self._message_from_bot(params)
        self._next_message_id[key[0]] -= 1  # _message_from_bot took a new id; an edit keeps the old one
        new["message_id"] = old["message_id"]
        for kept in ("reply_to_message_id", "reply_to_message"):
            if kept in old:
                new[kept] = old[kept]
        new["edited"] = old.get("edited", 0) + 1
        self.messages[key] = new
        return self._public(new)

    def api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        self.messages[key]["reply_markup"] = params.get("reply_markup")
        return self._public(self.messages[key])

    def api_deletemessage(self, params: dict[str, Any]) -> bool:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self.messages[key]
        return True

    def api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        return True

    def api_getchatmember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        user = self.user(user_id)
        if status == "administrator":
            return {"status": status, "user": user, **ADMIN_RIGHTS}
        if status == "creator":
            return {"status": status, "user": user, "is_anonymous": False}
        return {"status": status, "user": user}

    def api_getchatadministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = int(params["chat_id"])
        return [self.api_getchatmember({"chat_id": chat_id, "user_id": uid})
                for (cid, uid), status in self.members.items() if cid == chat_id
                and status in ("administrator", "creator")]

    def api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands_by_language.get(params.get("language_code") or "", [])

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The command menu for users whose language has none of its own."""
        return self.commands_by_language.get("", [])

    def api_close(self, params: dict[str, Any]) -> bool:
        return True
