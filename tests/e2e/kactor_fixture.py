"""Shared helpers for kactor's end-to-end tests (Python 3 standard library only).

- KactorServer: starts `kactor server` on a free loopback port with a temporary data directory,
  waits for /readyz, captures stdout and stderr in a log file, stops it by PID (SIGTERM with a
  bounded wait, then SIGKILL), can kill -9 and restart it on the same data directory, and
  removes the temporary directory at the end. Logs of every server are printed when a test fails.
- http_request / Client: raw HTTP/1.1 over a socket, returning status, headers and body, with an
  overall deadline (a server that streams forever gives an error, never a hang).
- WatchStream: reads a watch response (chunked, one JSON event per line) event by event, with
  timeouts.
- check_status: asserts that a response is a Kubernetes Status error with the expected
  code/reason/message, with a failure message that names the request and shows what came back.
- main(): parses --kactor PATH (or env KACTOR_BIN), runs the module's unittest cases, prints the
  server logs on failure.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HOST = "127.0.0.1"

_binary_from_args = None
# (label, log text) of every server started in this process; printed when a test fails.
_server_logs = []
_server_logs_lock = threading.Lock()


# --------------------------------------------------------------------------------------------
# Locating the binary and running a test module
# --------------------------------------------------------------------------------------------

def take_path_option(argv, option):
    """Removes `--<option> PATH` / `--<option>=PATH` from argv; returns PATH or None."""
    flag = "--" + option
    found = None
    out = [argv[0]]
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == flag:
            if i + 1 >= len(argv):
                raise SystemExit("%s needs a path" % flag)
            found = argv[i + 1]
            i += 2
            continue
        if a.startswith(flag + "="):
            found = a[len(flag) + 1:]
            i += 1
            continue
        out.append(a)
        i += 1
    argv[:] = out
    return found


def kactor_binary():
    """The kactor binary: --kactor, else $KACTOR_BIN, else <repo>/build/kactor."""
    path = _binary_from_args or os.environ.get("KACTOR_BIN") or os.path.join(REPO_ROOT, "build",
                                                                              "kactor")
    path = os.path.abspath(path)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RuntimeError("kactor binary not found or not executable: %s "
                           "(pass --kactor PATH or set KACTOR_BIN)" % path)
    return path


def main():
    """Entry point of every test module: `python3 test_x.py [--kactor PATH] [unittest args]`."""
    global _binary_from_args
    _binary_from_args = take_path_option(sys.argv, "kactor")
    prog = unittest.main(module="__main__", exit=False, verbosity=2)
    ok = prog.result.wasSuccessful()
    if not ok:
        print_server_logs()
    sys.exit(0 if ok else 1)


def print_server_logs(max_chars=20000):
    with _server_logs_lock:
        logs = list(_server_logs)
    for label, text in logs:
        sys.stderr.write("\n===== kactor log (%s), last %d chars =====\n" % (label, max_chars))
        sys.stderr.write(text[-max_chars:] if text else "(empty)\n")
        sys.stderr.write("\n===== end of kactor log (%s) =====\n" % label)
    sys.stderr.flush()


# --------------------------------------------------------------------------------------------
# Server fixture
# --------------------------------------------------------------------------------------------

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def apply_yaml_overrides(text, overrides):
    """Sets `section.key: value` in a block-style YAML document, by text.

    `overrides` is {section: {key: value}} for top-level mapping sections such as apiServer.
    Existing `key:` lines directly inside the section are replaced; missing keys are inserted
    right below the section header; a missing section is appended.
    """
    lines = text.splitlines()
    for section, values in overrides.items():
        header_re = re.compile(r"^%s:\s*(#.*)?$" % re.escape(section))
        inline_re = re.compile(r"^%s:\s*\S" % re.escape(section))
        start = None
        for i, line in enumerate(lines):
            if header_re.match(line):
                start = i
                break
            if inline_re.match(line):
                raise RuntimeError("cannot override %s in a flow-style section: %r" % (section, line))
        if start is None:
            lines.append("%s:" % section)
            for k, v in values.items():
                lines.append("  %s: %s" % (k, json.dumps(v)))
            continue
        end = start + 1
        indent = None
        while end < len(lines):
            line = lines[end]
            stripped = line.strip()
            if stripped == "" or stripped.startswith("#"):
                end += 1
                continue
            lead = len(line) - len(line.lstrip(" "))
            if lead == 0:
                break
            if indent is None:
                indent = lead
            end += 1
        if indent is None:
            indent = 2
        pad = " " * indent
        for k, v in values.items():
            key_re = re.compile(r"^%s%s:(\s|$)" % (pad, re.escape(k)))
            new_line = "%s%s: %s" % (pad, k, json.dumps(v))
            for i in range(start + 1, end):
                if key_re.match(lines[i]):
                    lines[i] = new_line
                    break
            else:
                lines.insert(start + 1, new_line)
                end += 1
    return "\n".join(lines) + "\n"


class ServerStartError(RuntimeError):
    pass


class KactorServer:
    """One kactor server process (restartable) with its own temp dir, data dir and log file.

    config_overrides: {section: {key: value}} applied to a copy of config/single-host.yaml (or
    to an otherwise empty config when the repository has none).
    """

    def __init__(self, label="kactor", config_overrides=None, ready_timeout=None):
        self.label = label
        self.binary = kactor_binary()
        self.tmp = tempfile.mkdtemp(prefix="kactor-e2e-%s-" % re.sub(r"[^a-z0-9]+", "-", label.lower()))
        self.data_dir = os.path.join(self.tmp, "data")
        os.mkdir(self.data_dir)
        self.log_path = os.path.join(self.tmp, "kactor.log")
        self.config_path = self._write_config(config_overrides or {})
        self.ready_timeout = ready_timeout or float(os.environ.get("KACTOR_E2E_READY_TIMEOUT", "30"))
        self.port = None
        self.proc = None
        self.starts = 0
        self.last_exit = None  # (returncode, how) of the last process that ended
        self._reaped = None    # the Popen whose exit is recorded in last_exit
        self._closed = False

    # -- configuration -------------------------------------------------------------------------
    def _write_config(self, overrides):
        repo_cfg = os.path.join(REPO_ROOT, "config", "single-host.yaml")
        if os.path.isfile(repo_cfg):
            with open(repo_cfg, "r", encoding="utf-8") as f:
                text = f.read()
        elif overrides:
            text = ""
        else:
            return None  # flags only
        text = apply_yaml_overrides(text, overrides) if overrides else text
        path = os.path.join(self.tmp, "config.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self):
        return "http://%s:%d" % (HOST, self.port)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def command(self):
        cmd = [self.binary, "server"]
        if self.config_path:
            cmd += ["--config", self.config_path]
        cmd += ["--data-dir", self.data_dir, "--http-address", "%s:%d" % (HOST, self.port),
                "--log-level", "warn"]
        return cmd

    def start(self):
        """Starts the server (same port and data dir on a restart) and waits for /readyz."""
        assert not self.running(), "server already running"
        last_error = None
        for attempt in range(3):
            if self.port is None or attempt > 0:
                self.port = free_port()
            self.starts += 1
            log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            with open(self.log_path, "ab") as log:
                log.write(("\n--- start #%d: %s\n" % (self.starts, " ".join(self.command()))).encode())
                log.flush()
                self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.tmp)
            try:
                self._wait_ready()
                return self
            except ServerStartError as e:
                last_error = e
                if self.proc.poll() is None:
                    self._terminate(timeout=10)
                text = self.read_log()[log_offset:].lower()
                bind_problem = any(w in text for w in ("address already in use", "bind", "eaddrinuse"))
                if not bind_problem:
                    break
        raise ServerStartError("%s (log follows)\n%s" % (last_error, self.read_log()[-8000:]))

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self.last_exit = (rc, "exited during start")
                self._reaped = self.proc
                raise ServerStartError("kactor exited with code %s before /readyz answered 200" % rc)
            try:
                r = http_request(self.port, "GET", "/readyz", timeout=2)
                if r.status == 200:
                    return
                last = "HTTP %d %r" % (r.status, r.body[:200])
            except (OSError, HttpError) as e:
                last = repr(e)
            time.sleep(0.05)
        raise ServerStartError("kactor not ready within %.0fs (last /readyz: %s)" %
                               (self.ready_timeout, last))

    def _terminate(self, timeout):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
            self.last_exit = (rc, "SIGTERM")
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(timeout=30)
            self.last_exit = (rc, "SIGKILL after SIGTERM timeout")
        self._reaped = self.proc
        return self.last_exit

    def stop(self, timeout=15):
        """SIGTERM, wait up to `timeout` s, then SIGKILL. Returns (returncode, how)."""
        if self.proc is None or self._reaped is self.proc:
            return self.last_exit
        rc = self.proc.poll()
        if rc is not None:
            self._reaped = self.proc
            self.last_exit = (rc, "had already exited (crash?)")
            return self.last_exit
        return self._terminate(timeout)

    def kill9(self):
        """kill -9 by PID; returns the exit code (-9)."""
        assert self.running(), "server is not running"
        os.kill(self.proc.pid, signal.SIGKILL)
        rc = self.proc.wait(timeout=30)
        self.last_exit = (rc, "SIGKILL")
        self._reaped = self.proc
        return rc

    def restart(self):
        self.stop()
        return self.start()

    def wait_for_log(self, text, timeout=5):
        """True once `text` appears in the server's log (stdout may lag behind /readyz)."""
        deadline = time.monotonic() + timeout
        while True:
            if text in self.read_log():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        """Stops the server, keeps its log for failure reports, removes the temp dir."""
        if self._closed:
            return
        self._closed = True
        try:
            self.stop()
        finally:
            with _server_logs_lock:
                _server_logs.append((self.label, self.read_log()))
            if os.environ.get("KACTOR_E2E_KEEP"):
                sys.stderr.write("KACTOR_E2E_KEEP: kept %s\n" % self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def client(self):
        return Client(self)


# --------------------------------------------------------------------------------------------
# Raw HTTP
# --------------------------------------------------------------------------------------------

class HttpError(Exception):
    """The server did not produce a complete HTTP response in time (or sent garbage)."""


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.eof = False
        self.reset = False

    def fill(self, deadline):
        if self.eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("deadline passed")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            self.eof = True
            self.reset = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def read_line(self, deadline, limit=1 << 20):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 1]
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buf) > limit:
                raise HttpError("line longer than %d bytes" % limit)
            if not self.fill(deadline):
                raise EOFError("connection closed while reading a line (have %r)" % bytes(self.buf[:200]))

    def read_exact(self, n, deadline):
        while len(self.buf) < n:
            if not self.fill(deadline):
                raise EOFError("connection closed: wanted %d bytes, have %d" % (n, len(self.buf)))
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_some(self, n, deadline):
        if not self.buf and not self.fill(deadline):
            return b""
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_to_eof(self, deadline):
        while self.fill(deadline):
            pass
        out = bytes(self.buf)
        self.buf.clear()
        return out


def find_header(headers, name):
    """The value of header `name` (any case) in a list of (name, value), or None."""
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


class Response:
    def __init__(self, method, path, status, reason, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value)
        self.body = body
        self._json = None
        self._json_done = False

    def header(self, name):
        return find_header(self.headers, name)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json_or_none(self):
        if not self._json_done:
            self._json_done = True
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    def json(self):
        j = self.json_or_none()
        if j is None:
            raise AssertionError("%s: response body is not JSON: %s" % (self.request_line(), self.describe()))
        return j

    def request_line(self):
        return "%s %s" % (self.method, self.path)

    def describe(self, limit=1500):
        body = self.text
        if len(body) > limit:
            body = body[:limit] + "...(%d bytes)" % len(self.body)
        return "HTTP %d %s, Content-Type %r, body: %s" % (self.status, self.reason,
                                                          self.header("content-type"), body)


def _encode_body(body, content_type):
    if body is None:
        return None, content_type
    if isinstance(body, (dict, list)):
        return json.dumps(body).encode("utf-8"), content_type or "application/json"
    if isinstance(body, str):
        return body.encode("utf-8"), content_type
    return bytes(body), content_type


def build_request(method, path, body=None, content_type=None, headers=None, port=0,
                  connection_close=True):
    data, content_type = _encode_body(body, content_type)
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (HOST, port),
             "User-Agent: kactor-e2e/1.0", "Accept: application/json"]
    if connection_close:
        lines.append("Connection: close")
    if content_type:
        lines.append("Content-Type: %s" % content_type)
    if data is not None:
        lines.append("Content-Length: %d" % len(data))
    for k, v in (headers or {}).items():
        lines.append("%s: %s" % (k, v))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (data or b"")


def read_response(reader, deadline, method="GET", path="?"):
    """Reads one response (skipping 1xx) from `reader`; returns a Response."""
    while True:
        status_line = reader.read_line(deadline)
        m = re.match(rb"^HTTP/1\.[01] (\d{3})(?: (.*))?$", status_line)
        if not m:
            raise HttpError("bad status line %r" % status_line[:200])
        status = int(m.group(1))
        reason = (m.group(2) or b"").decode("latin-1")
        headers = []
        while True:
            line = reader.read_line(deadline)
            if line == b"":
                break
            if b":" not in line:
                raise HttpError("bad header line %r" % line[:200])
            k, v = line.split(b":", 1)
            headers.append((k.decode("latin-1").strip(), v.decode("latin-1").strip()))
        if 100 <= status < 200:
            continue
        break
    resp = Response(method, path, status, reason, headers, b"")
    te = (resp.header("transfer-encoding") or "").lower()
    cl = resp.header("content-length")
    if method == "HEAD" or status in (204, 304):
        body = b""
    elif "chunked" in te:
        parts = []
        while True:
            size_line = reader.read_line(deadline)
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while reader.read_line(deadline) != b"":
                    pass
                break
            parts.append(reader.read_exact(size, deadline))
            if reader.read_line(deadline) != b"":
                raise HttpError("chunk not followed by CRLF")
        body = b"".join(parts)
    elif cl is not None:
        body = reader.read_exact(int(cl), deadline)
    else:
        body = reader.read_to_eof(deadline)
    resp.body = body
    return resp


def http_request(port, method, path, body=None, content_type=None, headers=None, timeout=15):
    """One request on a fresh connection (Connection: close). Raises HttpError when no complete
    response arrives within `timeout` seconds (e.g. the server started an endless stream)."""
    raw = build_request(method, path, body, content_type, headers, port)
    return raw_exchange(port, raw, timeout=timeout, method=method, path=path, require_response=True)


def raw_exchange(port, raw, timeout=15, method="?", path="?", require_response=False,
                 shutdown_write=False):
    """Sends raw bytes, reads one response. Returns a Response, or None when the server closed
    the connection without answering (only if not require_response)."""
    deadline = time.monotonic() + timeout
    sock = socket.create_connection((HOST, port), timeout=timeout)
    send_error = None
    try:
        try:
            sock.sendall(raw)
            if shutdown_write:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError) as e:
            # The server may answer (e.g. 413) and close before reading everything we send.
            send_error = e
        reader = _Reader(sock)
        try:
            if not reader.buf and not reader.fill(deadline):
                if require_response or reader.reset:
                    raise HttpError("%s %s: connection %s without a response%s" % (
                        method, path, "reset" if reader.reset else "closed",
                        " (send failed: %r)" % send_error if send_error else ""))
                return None
            return read_response(reader, deadline, method, path)
        except socket.timeout:
            raise HttpError("%s %s: no complete response within %.1fs (received so far: %r)" %
                            (method, path, timeout, bytes(reader.buf[:500])))
        except EOFError as e:
            raise HttpError("%s %s: connection closed mid-response: %s" % (method, path, e))
    finally:
        sock.close()


class Client:
    """Requests against one server; `server` may be a KactorServer or a port number."""

    def __init__(self, server):
        self.server = server

    @property
    def port(self):
        return self.server if isinstance(self.server, int) else self.server.port

    def request(self, method, path, body=None, content_type=None, headers=None, timeout=15):
        return http_request(self.port, method, path, body, content_type, headers, timeout)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, content_type=None, **kw):
        return self.request("POST", path, body, content_type, **kw)

    def put(self, path, body, content_type=None, **kw):
        return self.request("PUT", path, body, content_type, **kw)

    def patch(self, path, body, content_type="application/merge-patch+json", **kw):
        return self.request("PATCH", path, body, content_type, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body, **kw)

    # -- asserting helpers (raise AssertionError with the request and the response) ------------
    def expect(self, resp, code, what=""):
        """Asserts the HTTP status and returns the JSON body (which must be there)."""
        if resp.status != code:
            raise AssertionError("%s%s: expected HTTP %d, got %s" % (
                (what + ": ") if what else "", resp.request_line(), code, resp.describe()))
        return resp.json()

    def create(self, path, obj, content_type=None):
        return self.expect(self.post(path, obj, content_type), 201, "create")

    def read(self, path):
        return self.expect(self.get(path), 200, "get")

    def list(self, path):
        return self.expect(self.get(path), 200, "list")

    def ensure_namespace(self, name):
        r = self.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": name}})
        if r.status not in (201, 409):
            raise AssertionError("create namespace %s: %s" % (name, r.describe()))

    def list_rv(self, path):
        return int(self.list(path)["metadata"]["resourceVersion"])


def q(value):
    """URL-encodes a query parameter value."""
    return urllib.parse.quote(value, safe="")


def rv_of(obj):
    return int(obj["metadata"]["resourceVersion"])


# --------------------------------------------------------------------------------------------
# Status assertions
# --------------------------------------------------------------------------------------------

def status_problems(resp, code, reason, message=None, contains=None, prefix=None, details=None,
                    cause_field=None):
    """Returns a list of mismatches between `resp` and the expected Status error. `details`:
    expected details.<key> values; `cause_field`: some details.causes[].field must equal it."""
    problems = []
    if resp.status != code:
        problems.append("HTTP status %d, expected %d" % (resp.status, code))
    st = resp.json_or_none()
    if not isinstance(st, dict):
        problems.append("body is not a JSON Status object")
        return problems
    if st.get("kind") != "Status":
        problems.append("kind %r, expected 'Status'" % st.get("kind"))
    if st.get("apiVersion") != "v1":
        problems.append("apiVersion %r, expected 'v1'" % st.get("apiVersion"))
    if st.get("status") != "Failure":
        problems.append("status %r, expected 'Failure'" % st.get("status"))
    if st.get("code") != code:
        problems.append("code field %r, expected %d" % (st.get("code"), code))
    if reason is not None:
        reasons = reason if isinstance(reason, (tuple, list, set)) else (reason,)
        if st.get("reason") not in reasons:
            problems.append("reason %r, expected %s" % (st.get("reason"), " or ".join(map(repr, reasons))))
    msg = st.get("message")
    if message is not None and msg != message:
        problems.append("message %r, expected %r" % (msg, message))
    for c in ([contains] if isinstance(contains, str) else (contains or [])):
        if not isinstance(msg, str) or c not in msg:
            problems.append("message %r does not contain %r" % (msg, c))
    if prefix is not None and not (isinstance(msg, str) and msg.startswith(prefix)):
        problems.append("message %r does not start with %r" % (msg, prefix))
    ctype = (resp.header("content-type") or "").split(";")[0].strip().lower()
    if ctype != "application/json":
        problems.append("Content-Type %r, expected application/json" % resp.header("content-type"))
    if details:
        d = st.get("details") or {}
        for k, v in details.items():
            # StatusDetails fields are omitempty: an absent one reads as "".
            if d.get(k, "" if v == "" else None) != v:
                problems.append("details.%s %r, expected %r" % (k, d.get(k), v))
    if cause_field is not None:
        causes = (st.get("details") or {}).get("causes") or []
        if not any(isinstance(c, dict) and c.get("field") == cause_field for c in causes):
            problems.append("no details.causes entry with field %r (causes: %r)" % (cause_field, causes))
    return problems


def check_status(resp, code, reason, message=None, contains=None, prefix=None, details=None, what="",
                 cause_field=None):
    problems = status_problems(resp, code, reason, message, contains, prefix, details, cause_field)
    if problems:
        raise AssertionError("%s%s\n  problems: %s\n  got: %s" % (
            (what + ": ") if what else "", resp.request_line(), "; ".join(problems), resp.describe()))
    return resp.json()


# --------------------------------------------------------------------------------------------
# Watch streams
# --------------------------------------------------------------------------------------------

class WatchStream:
    """A watch request on its own connection.

    After construction: .status and .headers are set. For a non-200 answer .response holds the
    complete Response. For 200, next_event(timeout) returns the next event dict, or None on
    timeout or when the stream ended (.ended is then True).
    """

    def __init__(self, port, path, timeout=10, headers=None):
        self.path = path
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.reader = _Reader(self.sock)
        self.ended = False
        self.response = None
        self.events = []       # every event returned so far
        self._data = bytearray()
        self._chunk_left = None  # None: expect a chunk-size line; 0: expect the CRLF after data
        deadline = time.monotonic() + timeout
        req = build_request("GET", path, headers=headers, port=port, connection_close=False)
        self.sock.sendall(req)
        try:
            self.status, self.reason, self.headers = self._read_head(deadline)
        except socket.timeout:
            self.close()
            raise HttpError("GET %s: no response head within %.1fs" % (path, timeout))
        except EOFError as e:
            self.close()
            raise HttpError("GET %s: connection closed before a response head: %s" % (path, e))
        te = (self.header("transfer-encoding") or "").lower()
        self.chunked = "chunked" in te
        if self.status != 200:
            cl = self.header("content-length")
            try:
                if self.chunked:
                    body = self._read_all_chunked(deadline)
                elif cl is not None:
                    body = self.reader.read_exact(int(cl), deadline)
                else:
                    body = self.reader.read_to_eof(deadline)
            except (socket.timeout, EOFError) as e:
                self.close()
                raise HttpError("GET %s: HTTP %d with an incomplete body: %r" % (path, self.status, e))
            self.response = Response("GET", path, self.status, self.reason, self.headers, body)
            self.ended = True
        elif not self.chunked and self.header("content-length") is not None:
            self._content_left = int(self.header("content-length"))
        else:
            self._content_left = None

    def _read_head(self, deadline):
        while True:
            line = self.reader.read_line(deadline)
            m = re.match(rb"^HTTP/1\.[01] (\d{3})(?: (.*))?$", line)
            if not m:
                raise HttpError("GET %s: bad status line %r" % (self.path, line[:200]))
            headers = []
            while True:
                h = self.reader.read_line(deadline)
                if h == b"":
                    break
                k, _, v = h.partition(b":")
                headers.append((k.decode("latin-1").strip(), v.decode("latin-1").strip()))
            status = int(m.group(1))
            if status >= 200:
                return status, (m.group(2) or b"").decode("latin-1"), headers

    def _read_all_chunked(self, deadline):
        parts = []
        while True:
            size = int(self.reader.read_line(deadline).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return b"".join(parts)
            parts.append(self.reader.read_exact(size, deadline))
            self.reader.read_line(deadline)

    def header(self, name):
        return find_header(self.headers, name)

    def _pump(self, deadline):
        """Reads more body bytes into self._data; returns False when the stream ended."""
        if self.chunked:
            if self._chunk_left is None:
                line = self.reader.read_line(deadline)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return False
                self._chunk_left = size
            if self._chunk_left == 0:
                if self.reader.read_line(deadline) != b"":
                    raise HttpError("watch %s: chunk not followed by CRLF" % self.path)
                self._chunk_left = None
                return True
            data = self.reader.read_some(self._chunk_left, deadline)
            if not data:
                return False
            self._data += data
            self._chunk_left -= len(data)
            return True
        if self._content_left == 0:
            return False
        n = 65536 if self._content_left is None else min(65536, self._content_left)
        data = self.reader.read_some(n, deadline)
        if not data:
            return False
        self._data += data
        if self._content_left is not None:
            self._content_left -= len(data)
        return True

    def next_event(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            i = self._data.find(b"\n")
            if i >= 0:
                line = bytes(self._data[:i]).strip()
                del self._data[:i + 1]
                if not line:
                    continue
                try:
                    ev = json.loads(line.decode("utf-8"))
                except ValueError:
                    raise AssertionError("watch %s: event line is not JSON: %r" % (self.path, line[:500]))
                self.events.append(ev)
                return ev
            if self.ended:
                return None
            try:
                if not self._pump(deadline):
                    self.ended = True
            except socket.timeout:
                return None
            except EOFError:
                self.ended = True

    def collect_until(self, predicate, timeout):
        """Events until one satisfies predicate (included) or timeout; returns (events, found)."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return out, False
            ev = self.next_event(remaining)
            if ev is None:
                return out, False
            out.append(ev)
            if predicate(ev):
                return out, True

    def drain(self, duration):
        """Every event arriving within `duration` seconds."""
        out = []
        deadline = time.monotonic() + duration
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return out
            ev = self.next_event(remaining)
            if ev is None:
                if self.ended:
                    return out
                continue
            out.append(ev)

    def pending(self):
        return bytes(self._data[:500])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def summarize_events(events):
    out = []
    for ev in events:
        obj = ev.get("object") or {}
        md = obj.get("metadata") or {}
        out.append("%s %s/%s rv=%s" % (ev.get("type"), obj.get("kind"), md.get("name"),
                                       md.get("resourceVersion")))
    return "[" + ", ".join(out) + "]"


def is_expired_watch(ws, first_event_timeout=10):
    """For a watch from a too-old RV: (ok, description). OK is an HTTP 410 Status Expired, or a 200
    stream whose first event is ERROR carrying a 410 Expired Status."""
    if ws.status != 200:
        problems = status_problems(ws.response, 410, "Expired")
        return (not problems), "%s %s" % (ws.response.describe(), "; ".join(problems))
    ev = ws.next_event(first_event_timeout)
    if ev is None:
        return False, "HTTP 200 stream without any event within %ss (pending %r)" % (
            first_event_timeout, ws.pending())
    obj = ev.get("object") or {}
    ok = (ev.get("type") == "ERROR" and obj.get("kind") == "Status" and obj.get("code") == 410
          and obj.get("reason") == "Expired")
    return ok, "first event: %s" % json.dumps(ev)[:1000]
