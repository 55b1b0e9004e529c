#!/usr/bin/env python3
"""A minimal headless-Chromium driver over the Chrome DevTools Protocol.

Standard library only: Chromium is started with --remote-debugging-pipe and
spoken to over two pipes mapped to fds 3 (Chromium reads commands) and 4
(Chromium writes responses and events); each message is one JSON document
terminated by a NUL byte.

    with Browser() as b:                    # chromium on PATH, or $PM_CHROMIUM
        page = b.new_page(1280, 900)
        ms = page.open("file:///tmp/report.html")   # until parkmap.ready
        page.click("input[data-layer=parks]")       # a real mouse click
        page.evaluate("window.parkmap.view()")
        page.screenshot("/tmp/shot.png")
        page.console_errors, page.requests          # what went wrong

Every wait has a timeout and raises CDPError with what it waited for; the
browser is killed and its profile directory removed on close, whatever
happened.
"""
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--force-color-profile=srgb", "--font-render-hinting=none",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--disable-domain-reliability", "--metrics-recording-only", "--password-store=basic",
    "--use-mock-keychain",
]


class CDPError(Exception):
    pass


def find_chromium():
    """The Chromium binary: $PM_CHROMIUM, else chromium (Debian) on PATH; None if absent."""
    env = os.environ.get("PM_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _is_own_url(url, own):
    """Requests a self-contained page may make: itself, and data:/blob: URLs."""
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return url.split("#", 1)[0] == own.split("#", 1)[0]


class Browser:
    def __init__(self, chromium=None, timeout=30.0, extra_flags=()):
        self.chromium = chromium or find_chromium()
        if not self.chromium:
            raise CDPError("chromium not found (install Debian's chromium, or set PM_CHROMIUM)")
        self.timeout = timeout
        self.extra_flags = list(extra_flags)
        self.proc = None
        self.profile = None
        self._next_id = 0
        self._inbox = queue.Queue()
        self._pending = []  # messages read while waiting for something else
        self._wfd = None
        self._reader = None
        self._stderr_path = None

    # -- lifecycle -------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        self.profile = tempfile.mkdtemp(prefix="pm_chromium_")
        cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads fd 3
        res_r, res_w = os.pipe()  # Chromium writes fd 4, we read
        # Move the child's ends to free fds above 4 (close-on-exec), so that
        # the dup2 onto 3 and 4 below cannot clobber one with the other.
        hi_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 5)
        hi_w = fcntl.fcntl(res_w, fcntl.F_DUPFD_CLOEXEC, 5)
        os.close(cmd_r)
        os.close(res_w)

        def child_fds():
            os.dup2(hi_r, 3)  # dup2'd fds are inheritable: they survive exec
            os.dup2(hi_w, 4)

        self._stderr_path = os.path.join(self.profile, "chromium.stderr")
        with open(self._stderr_path, "wb") as errf:
            # close_fds=False: every other fd Python opened is close-on-exec
            # already; closing would also close 3 and 4.
            self.proc = subprocess.Popen(
                [self.chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile]
                + self.extra_flags + ["about:blank"],
                stdin=subprocess.DEVNULL, stdout=errf, stderr=errf,
                close_fds=False, preexec_fn=child_fds, start_new_session=True)
        os.close(hi_r)
        os.close(hi_w)
        self._wfd = cmd_w
        self._reader = threading.Thread(target=self._read_loop, args=(res_r,), daemon=True)
        self._reader.start()
        self.send("Target.setDiscoverTargets", {"discover": False})

    def close(self):
        try:
            if self.proc and self.proc.poll() is None:
                try:
                    self.send("Browser.close", timeout=5)
                except CDPError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.proc and self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, 9)  # the whole process group: renderers too
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
            if self._wfd is not None:
                try:
                    os.close(self._wfd)
                except OSError:
                    pass
                self._wfd = None
            if self.profile:
                shutil.rmtree(self.profile, ignore_errors=True)
                self.profile = None

    def stderr_tail(self, n=2000):
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    # -- transport -------------------------------------------------------
    def _read_loop(self, fd):
        buf = b""
        with os.fdopen(fd, "rb", buffering=0) as f:
            while True:
                chunk = f.read(1 << 16)
                if not chunk:
                    self._inbox.put(None)  # EOF: Chromium went away
                    return
                buf += chunk
                while b"\0" in buf:
                    msg, buf = buf.split(b"\0", 1)
                    self._inbox.put(json.loads(msg))

    def _receive(self, deadline, what):
        left = deadline - time.monotonic()
        if left <= 0:
            raise CDPError("timed out waiting for " + what)
        try:
            msg = self._inbox.get(timeout=left)
        except queue.Empty:
            raise CDPError("timed out waiting for " + what) from None
        if msg is None:
            self._inbox.put(None)
            raise CDPError("chromium exited while waiting for %s; its stderr ends:\n%s"
                           % (what, self.stderr_tail()))
        return msg

    def send(self, method, params=None, session=None, timeout=None):
        """Sends one command; returns its result or raises CDPError."""
        self._next_id += 1
        mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._wfd, data):]
        except OSError as e:
            raise CDPError("cannot write to chromium (%s): %s" % (e, self.stderr_tail())) from None
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._receive(deadline, "the reply to " + method)
            if reply.get("id") == mid:
                if "error" in reply:
                    raise CDPError("%s: %s" % (method, reply["error"].get("message")))
                return reply.get("result", {})
            self._pending.append(reply)

    def pump(self, timeout=0.0):
        """Moves messages that arrived into the pending list; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                left = max(0.0, deadline - time.monotonic())
                msg = self._inbox.get(timeout=left) if left > 0 else self._inbox.get_nowait()
            except queue.Empty:
                return self._pending
            if msg is None:
                self._inbox.put(None)
                return self._pending
            self._pending.append(msg)

    def take_events(self, session):
        """Removes and returns the events pending for one session."""
        self.pump()
        mine = [m for m in self._pending if m.get("sessionId") == session]
        self._pending = [m for m in self._pending if m.get("sessionId") != session]
        return mine

    def wait_message(self, pred, timeout, what):
        """Waits for (and consumes) a message matching pred."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self._pending):
                if pred(m):
                    return self._pending.pop(i)
            self._pending.append(self._receive(deadline, what))

    def new_page(self, width=1280, height=900):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session, width, height)


class Page:
    """One tab, attached with a flat session. Records console errors,
    uncaught exceptions, error log entries and every network request."""

    def __init__(self, browser, target, session, width, height):
        self.b = browser
        self.target = target
        self.session = session
        self.url = None
        self.console_errors = []
        self.requests = []  # every URL requested, own or not
        self.width, self.height = width, height
        for domain in ("Page", "Runtime", "Log", "Network", "DOM"):
            self.send(domain + ".enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        # No cache: each open() measures a cold load, as a user opening the file.
        self.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def send(self, method, params=None, timeout=None):
        return self.b.send(method, params, session=self.session, timeout=timeout)

    def close(self):
        self.b.send("Target.closeTarget", {"targetId": self.target})
        self.b.take_events(self.session)

    # -- what the page did ----------------------------------------------
    def _note(self, m):
        method, p = m.get("method"), m.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", a.get("type"))))
                            for a in p.get("args", []))
            self.console_errors.append("console.%s: %s" % (p["type"], text))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exc = d.get("exception", {}).get("description") or d.get("text")
            self.console_errors.append("uncaught exception: %s (line %s)"
                                       % (exc, d.get("lineNumber")))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            self.console_errors.append("log %s: %s %s" % (e.get("source"), e.get("text"),
                                                          e.get("url", "")))
        elif method == "Network.requestWillBeSent":
            self.requests.append(p.get("request", {}).get("url", ""))

    def drain(self, timeout=0.0):
        """Records the events that arrived (waiting up to timeout for more)."""
        if timeout:
            self.b.pump(timeout)
        for m in self.b.take_events(self.session):
            self._note(m)

    def foreign_requests(self):
        """Requests other than the page's own URL and data:/blob: URLs."""
        self.drain()
        return [u for u in self.requests if not _is_own_url(u, self.url or "")]

    # -- navigation --------------------------------------------------------
    def open(self, url, ready="window.parkmap && window.parkmap.ready === true", timeout=20.0):
        """Navigates and waits for the load event and then for `ready` to be
        true. Returns the milliseconds from navigation start to ready, as
        the page's own clock (performance.now()) saw them."""
        self.drain()
        self.url = url
        self.console_errors, self.requests = [], []
        start = time.monotonic()
        nav = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if nav.get("errorText"):
            raise CDPError("navigation to %s failed: %s" % (url, nav["errorText"]))
        left = timeout - (time.monotonic() - start)
        m = self.b.wait_message(
            lambda m: m.get("sessionId") == self.session and m.get("method") == "Page.loadEventFired",
            max(left, 0.001), "the load event of " + url)
        self.b._pending.append(m)  # the rest of the events are recorded by drain()
        left = timeout - (time.monotonic() - start)
        poll = ("new Promise(function (done) { (function poll() {"
                " if (%s) done(performance.now()); else setTimeout(poll, 5); })(); })" % ready)
        try:
            ms = self.evaluate(poll, timeout=max(left, 0.001))
        except CDPError as e:
            self.drain()
            raise CDPError("%s did not become ready (%s) within %.0f s: %s; console errors: %s"
                           % (url, ready, timeout, e, self.console_errors)) from None
        self.drain()
        return ms

    def evaluate(self, expr, timeout=None):
        """Evaluates expr (a Promise is awaited) and returns its value as JSON."""
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("evaluating %s: %s" % (expr[:80], d.get("exception", {}).get(
                "description") or d.get("text")))
        return r.get("result", {}).get("value")

    def settle(self):
        """Waits for two animation frames, so the last change is painted."""
        self.evaluate("new Promise(function (done) { requestAnimationFrame(function () {"
                      " requestAnimationFrame(function () { done(true); }); }); })", timeout=10)

    # -- input -------------------------------------------------------------
    @staticmethod
    def _element(selector, index):
        return "document.querySelectorAll(%s)[%d]" % (json.dumps(selector), index)

    def box(self, selector, scroll=True, index=0):
        """The box of the index-th element matching selector, in viewport
        CSS pixels {x, y, width, height, sx, sy (the page's scroll)};
        scrolled into view first. Raises if missing or not rendered."""
        js = ("(function () { var e = %s; if (!e) return null;"
              " %s var r = e.getBoundingClientRect();"
              " return {x: r.left, y: r.top, width: r.width, height: r.height,"
              " sx: window.scrollX, sy: window.scrollY}; })()"
              % (self._element(selector, index), "e.scrollIntoView({block: 'center', inline: 'center'});"
                 if scroll else ""))
        r = self.evaluate(js)
        if r is None:
            raise CDPError("no element matches %s (index %d)" % (selector, index))
        if r["width"] <= 0 or r["height"] <= 0:
            raise CDPError("element %s is not rendered (box %s)" % (selector, r))
        return r

    def click(self, selector, index=0):
        """A real left click at the element's centre, through the input
        pipeline (Input.dispatchMouseEvent), as a user's: a click the page
        does not handle stays unhandled. Fails if another element covers the
        centre."""
        r = self.box(selector, index=index)
        x, y = r["x"] + r["width"] / 2, r["y"] + r["height"] / 2
        hit = self.evaluate(
            "(function () { var e = %s,"
            " h = document.elementFromPoint(%r, %r); return !!h && (h === e || e.contains(h)"
            " || (e.tagName === 'INPUT' && e.labels && Array.prototype.some.call(e.labels,"
            " function (l) { return l === h || l.contains(h); }))); })()"
            % (self._element(selector, index), x, y))
        if not hit:
            raise CDPError("the centre of %s (%.0f, %.0f) is covered by another element"
                           % (selector, x, y))
        for kind, extra in (("mouseMoved", {}),
                            ("mousePressed", {"button": "left", "buttons": 1, "clickCount": 1}),
                            ("mouseReleased", {"button": "left", "buttons": 0, "clickCount": 1})):
            params = {"type": kind, "x": x, "y": y}
            params.update(extra)
            self.send("Input.dispatchMouseEvent", params)
        self.drain()

    # -- pictures ----------------------------------------------------------
    def screenshot(self, path, selector=None, fast=False):
        """A PNG of the viewport, or of one element's box (scrolled into
        view). fast: the same pixels, encoded quickly (Up filter only, less
        compression), which tests/browser/pngdiff.py decodes ten times faster."""
        self.settle()
        params = {"format": "png", "fromSurface": True, "optimizeForSpeed": bool(fast)}
        if selector:
            r = self.box(selector)
            self.settle()
            r = self.box(selector, scroll=False)
            params["clip"] = {"x": r["x"] + r["sx"], "y": r["y"] + r["sy"],
                              "width": r["width"], "height": r["height"], "scale": 1}
        data = base64.b64decode(self.send("Page.captureScreenshot", params, timeout=30)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return path
