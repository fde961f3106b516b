"""A protocol-level Streamlit client: one simulated visitor of a running ``streamlit run``,
speaking the server's own websocket protocol, without a browser.

It does what Streamlit's frontend does on the wire (checked against Chromium's frames by
``benchmarks/classroom.py --verify``), with the protobuf classes shipped in the installed
``streamlit`` package (``streamlit.proto``):

1. A fresh visit fetches the app's HTML and the scripts, styles and fonts it links (a cold
   browser cache; at most 6 requests at a time, as Chromium per host), then
   ``/_stcore/health`` and ``/_stcore/host-config``, and opens ``/_stcore/stream`` (subprotocol
   ``streamlit``): a new session of the server.
2. It asks for a page with a ``BackMsg.rerun_script`` ``ClientState``: a fresh visit names the
   page by its url path (``page_name``, as a deep link does) with the URL's ``query_string``;
   a click inside the session names it by ``page_script_hash`` (learnt from the server's
   ``navigation`` message), as the sidebar and ``st.page_link`` do. ``context_info`` says
   what Chromium says (time zone, locale, URL, colour scheme). ``cached_message_hashes`` lists
   the cacheable messages already received, so the server sends ``ref_hash`` references for
   them, as it does to a browser; they are resolved from this client's cache.
3. It reads ``ForwardMsg``s until the run it asked for ends: ``script_finished``
   ``FINISHED_SUCCESSFULLY`` (``FINISHED_EARLY_FOR_RERUN`` means another run follows, e.g.
   a deep link resolved through ``st.navigation``). The deltas are applied to an element tree
   (path -> element type; a later delta at the same path replaces the earlier one, like a
   progress bar); Streamlit exception elements are kept as errors. Then it fetches the
   media the page shows or offers (``st.image`` and download-button files under ``/media/``),
   as Chromium does; images count in the page-ready time, download files don't.

Page-ready for this client = from sending the request (or, for a fresh visit, from the first
HTTP request) until the page's run has finished and all its deltas and images are received:
what a browser needs before it can paint. It does not include the browser's own work
(JavaScript, Plotly rendering), which happens on the visitor's machine, nor plotly.js and the
other lazily loaded frontend chunks, which a browser fetches once and caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect

# What headless Chromium reports in ClientState.context_info (seen in its frames).
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False,
           "color_scheme": "light"}
# The scripts, styles and fonts the HTML links: what a browser fetches before it can start.
ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="\./(static/[^"]+\.(?:js|css|woff2))"')
FINISHED = ForwardMsg.ScriptFinishedStatus
# Element types whose media a browser fetches: images before painting, download files after.
IMAGE_TYPES = frozenset({"imgs"})
# One page's run, deltas and images must arrive within this many seconds.
DEFAULT_TIMEOUT_S = 120.0
# Chromium opens at most 6 connections to one host (HTTP/1.1): a visitor's parallel requests.
CONNECTIONS_PER_VISITOR = 6
# The threads that run the HTTP requests of every visitor (urllib blocks): enough for a class
# of 30 at 6 each, so no visitor waits for another's thread (asyncio's default pool has 6).
HTTP_POOL = ThreadPoolExecutor(max_workers=32 * CONNECTIONS_PER_VISITOR, thread_name_prefix="http")


class VisitError(Exception):
    """A visit that did not end in a successful run: ``kind`` names what went wrong."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


@dataclass
class PageView:
    """What one visit received: the run's element tree, counts and timings."""

    page: str
    query: str
    fresh: bool
    seconds: float = 0.0
    frontend_s: float = 0.0  # of a fresh visit: the HTML, scripts and health checks
    messages: int = 0
    deltas: int = 0
    bytes: int = 0
    early_runs: int = 0  # runs that finished early because another followed
    tree: dict[tuple[int, ...], str] = field(default_factory=dict)
    headings: dict[tuple[int, ...], str] = field(default_factory=dict)  # path -> heading text
    exceptions: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    media_errors: list[str] = field(default_factory=list)

    @property
    def elements(self) -> Counter[str]:
        """Element types of the final page (blocks included), how many of each."""
        return Counter(self.tree.values())


def element_type(msg: ForwardMsg) -> str:
    delta = msg.delta
    kind = delta.WhichOneof("type")
    if kind == "new_element":
        return str(delta.new_element.WhichOneof("type"))
    if kind == "add_block":
        return "block"
    return str(kind)


def _media_urls(msg: ForwardMsg) -> list[tuple[str, bool]]:
    """(url, is an image) of the /media/ files an element shows or offers."""
    if msg.delta.WhichOneof("type") != "new_element":
        return []
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind in IMAGE_TYPES:
        return [(img.url, True) for img in element.imgs.imgs if img.url.startswith("/media/")]
    if kind == "download_button" and element.download_button.url.startswith("/media/"):
        return [(element.download_button.url, False)]
    return []


def _get(url: str, timeout: float) -> int:
    """GET ``url`` (gzip accepted, like a browser); the bytes read. Raises on HTTP errors."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return len(response.read())


class StreamSession:
    """One visitor: a session of the server, its pages asked for over ``/_stcore/stream``."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.ws: ClientConnection | None = None
        self.pages: dict[str, str] = {}  # url path -> page_script_hash (from `navigation`)
        self.cache: dict[str, ForwardMsg] = {}  # cacheable messages by hash
        self.url = self.base + "/"
        self.connections = asyncio.Semaphore(CONNECTIONS_PER_VISITOR)

    async def _http(self, url: str, timeout: float) -> int:
        """GET on one of this visitor's connections, in the shared HTTP pool."""
        async with self.connections:
            return await asyncio.get_running_loop().run_in_executor(HTTP_POOL, _get, url,
                                                                     timeout)

    # ------------------------------------------------------------------ visits

    async def open(self, page: str = "", query: str = "") -> PageView:
        """A fresh visit of ``/<page>?<query>``: HTML, scripts, health, a new session."""
        view = PageView(page, query, fresh=True)
        started = time.perf_counter()
        await self._fetch_frontend(page)
        view.frontend_s = time.perf_counter() - started
        ws_url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        try:
            self.ws = await connect(ws_url, subprotocols=["streamlit"],  # type: ignore[list-item]
                                    max_size=None, open_timeout=self.timeout)
        except (OSError, TimeoutError) as err:
            raise VisitError("connect", f"{type(err).__name__}: {err}") from err
        self.url = f"{self.base}/{page}"
        state = self._client_state(query)
        state.page_name = page
        await self._run(state, view, started)
        return view

    async def navigate(self, page: str, query: str = "") -> PageView:
        """A click inside the session (sidebar or page link) to ``page`` with ``query``."""
        if self.ws is None:
            raise VisitError("protocol", "navigate() before open()")
        if page not in self.pages:
            raise VisitError("protocol", f"the server's navigation has no page {page!r}")
        view = PageView(page, query, fresh=False)
        self.url = f"{self.base}/{page}"
        state = self._client_state(query)
        state.page_script_hash = self.pages[page]
        await self._run(state, view, time.perf_counter())
        return view

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    # ------------------------------------------------------------------ protocol

    def _client_state(self, query: str) -> Any:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.widget_states.SetInParent()
        state.cached_message_hashes.extend(self.cache)
        for key, value in CONTEXT.items():
            setattr(state.context_info, key, value)
        state.context_info.url = self.url
        return state

    async def _run(self, state: Any, view: PageView, started: float) -> None:
        """Send one rerun request; read until its run finishes; fetch its media."""
        assert self.ws is not None
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        deadline = started + self.timeout
        try:
            await self.ws.send(msg.SerializeToString())
            images = await asyncio.wait_for(self._receive(view), max(0.1, deadline - time.perf_counter()))
            await self._fetch(images, view, deadline)  # a browser paints images, too
        except TimeoutError as err:
            raise VisitError("timeout", f"no finished run after {self.timeout:.0f} s") from err
        except OSError as err:  # the connection dropped (websockets' ConnectionClosed is not one)
            raise VisitError("connection", f"{type(err).__name__}: {err}") from err
        except Exception as err:
            if type(err).__module__.startswith("websockets"):
                raise VisitError("connection", f"{type(err).__name__}: {err}") from err
            raise
        view.seconds = time.perf_counter() - started

    async def _receive(self, view: PageView) -> list[str]:
        """Read ForwardMsgs until this request's run finished; the image URLs it shows."""
        assert self.ws is not None
        images: list[str] = []
        while True:
            raw = await self.ws.recv(decode=False)
            view.messages += 1
            view.bytes += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            if msg.WhichOneof("type") == "ref_hash":
                cached = self.cache.get(msg.ref_hash)
                if cached is None:
                    raise VisitError("protocol", f"reference to an unknown message {msg.ref_hash}")
                ref_path = list(msg.metadata.delta_path)
                msg = ForwardMsg()
                msg.CopyFrom(cached)
                msg.metadata.ClearField("delta_path")
                msg.metadata.delta_path.extend(ref_path)
            elif msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = msg
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                view.tree.clear()  # a run starts from an empty page
                view.headings.clear()
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash
                              for p in msg.navigation.app_pages}
            elif kind == "delta":
                view.deltas += 1
                element = element_type(msg)
                path = tuple(msg.metadata.delta_path)
                view.tree[path] = element
                if element == "heading":
                    view.headings[path] = msg.delta.new_element.heading.body
                if element == "exception":
                    ex = msg.delta.new_element.exception
                    view.exceptions.append(f"{ex.type}: {ex.message}"[:300])
                for url, is_image in _media_urls(msg):
                    (images if is_image else view.media).append(url)
            elif kind == "page_not_found":
                raise VisitError("page_not_found", view.page)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    view.early_runs += 1
                    continue
                if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise VisitError("compile_error", view.page)
                return images

    async def _fetch_frontend(self, page: str) -> None:
        """What a browser with a cold cache fetches before it opens the websocket."""
        try:
            async with self.connections:
                html = await asyncio.get_running_loop().run_in_executor(
                    HTTP_POOL, self._get_text, f"{self.base}/{page}")
            assets = ASSET.findall(html)
            await asyncio.gather(*(self._http(f"{self.base}/{a}", self.timeout)
                                   for a in assets))
            for endpoint in ("_stcore/health", "_stcore/host-config"):
                await self._http(f"{self.base}/{endpoint}", self.timeout)
        except (OSError, urllib.error.URLError) as err:
            raise VisitError("http", f"{type(err).__name__}: {err}") from err

    def _get_text(self, url: str) -> str:
        with urllib.request.urlopen(url, timeout=self.timeout) as response:
            return str(response.read().decode("utf-8"))

    async def _fetch(self, urls: list[str], view: PageView, deadline: float) -> None:
        async def one(url: str) -> None:
            try:
                await self._http(self.base + url, max(0.1, deadline - time.perf_counter()))
            except (OSError, urllib.error.URLError) as err:
                view.media_errors.append(f"{url}: {err}")

        await asyncio.gather(*(one(url) for url in urls))
        if view.media_errors:
            raise VisitError("media", "; ".join(view.media_errors)[:300])

    async def fetch_downloads(self, view: PageView) -> None:
        """The download-button files a page offers: Chromium fetches them once it has painted
        (not part of the page-ready time; an HTTP error is an error all the same)."""
        await self._fetch(view.media, view, time.perf_counter() + self.timeout)
