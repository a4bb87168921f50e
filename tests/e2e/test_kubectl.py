#!/usr/bin/env python3
"""kactor end to end with the real kubectl: every command of the notes' workflow, checked against
what kubectl prints (stdout, stderr) and the exit code it returns against a real Kubernetes 1.32.

Each test class starts its own kactor (free loopback port, own data dir) and gives kubectl its
own HOME (with a kubeconfig pointing at that server) and KUBECACHEDIR, so no discovery cache or
user configuration leaks in. Objects a test only *reads* are made over raw HTTP in setUpClass, so
a missing write feature (protobuf bodies, OpenAPI, patch types) fails only the tests that use it.

The suite runs once per kubectl version:

    python3 tests/e2e/test_kubectl.py --kactor build/kactor --kubectl /usr/bin/kubectl
    python3 tests/e2e/test_kubectl.py --kactor build/kactor \\
        --kubectl /usr/lib/google-cloud-sdk/bin/kubectl.1.33

`/usr/bin/kubectl` is the google-cloud-sdk dispatcher: it runs the kubectl matching /version's
minor (kactor reports 32). Without --kubectl, $KACTOR_E2E_KUBECTL or /usr/bin/kubectl is used.
"""

import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/e2e free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kactor_fixture  # noqa: E402
from kactor_fixture import KactorServer  # noqa: E402

EXAMPLES = os.path.join(kactor_fixture.REPO_ROOT, "examples")

# Seconds one kubectl invocation may take before it is killed (and the test fails).
KUBECTL_TIMEOUT = float(os.environ.get("KACTOR_E2E_KUBECTL_TIMEOUT", "30"))
# Seconds to wait for something a background kubectl (get -w, delete --wait) should print or do.
WAIT = 15

AGE_RE = r"^(\d+[smhdy]){1,2}$"                    # 0s, 45s, 2m3s, 5h, 3d
IP_RE = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"

# The example manifests whose kinds kactor serves (api/resources.cpp), in file-name order; each
# with the lines `kubectl create -f` prints for it.
SERVED_EXAMPLES = [
    ("cm-appconfigfiles.yaml", ["configmap/cm-appconfigfiles"]),
    ("cm-appvars.yaml", ["configmap/cm-appvars"]),
    ("cm-test-pod-env.yaml", ["pod/cm-test-pod-env"]),
    ("cm-test-pod-envfrom.yaml", ["pod/cm-test-pod-envfrom"]),
    ("cm-test-pod-volume.yaml", ["pod/cm-test-pod-volume"]),
    ("external-service-endpoints.yaml", ["service/my-service", "endpoints/my-service"]),
    ("mysql-rc.yaml", ["replicationcontroller/mysql"]),
    ("mysql-svc.yaml", ["service/mysql"]),
    ("nginx-deployment.yaml", ["deployment.apps/nginx-deployment"]),
    ("nginx-headless-svc.yaml", ["service/nginx"]),
    ("pod-nodeselector.yaml", ["pod/pod-nodeselector"]),
    ("pod-pvc-gluster.yaml", ["pod/pod-pvc-gluster"]),
    ("secret.yaml", ["secret/mysecret"]),
    ("test-emptypath-pod.yaml", ["pod/test-emptypath"]),
]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

_kubectl_from_args = None


def kubectl_binary():
    path = _kubectl_from_args or os.environ.get("KACTOR_E2E_KUBECTL") or "/usr/bin/kubectl"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RuntimeError("kubectl not found or not executable: %s (pass --kubectl PATH or set "
                           "KACTOR_E2E_KUBECTL)" % path)
    return path


_client_minor = None


def client_minor():
    """The minor version of the kubectl that actually runs: $KACTOR_E2E_KUBECTL_MINOR, else the
    `.1.NN` suffix of the binary's name, else 32 for the dispatcher (it picks the kubectl matching
    the server's minor, 32), else what `kubectl version --client` says."""
    global _client_minor
    if _client_minor is not None:
        return _client_minor
    env = os.environ.get("KACTOR_E2E_KUBECTL_MINOR")
    path = kubectl_binary()
    m = re.search(r"\.1\.(\d+)$", os.path.basename(path))
    if env:
        _client_minor = int(env)
    elif m:
        _client_minor = int(m.group(1))
    else:
        out = subprocess.run([path, "version", "--client", "-o", "json"], capture_output=True,
                             text=True, timeout=KUBECTL_TIMEOUT).stdout
        try:
            info = json.loads(out)["clientVersion"]
            _client_minor = int(re.match(r"\d+", info["minor"]).group(0))
            if "dispatcher" in info.get("gitVersion", ""):
                _client_minor = 32  # what the dispatcher runs against a server reporting 1.32
        except (ValueError, KeyError, AttributeError):
            _client_minor = 32
    return _client_minor


# --------------------------------------------------------------------------------------------
# Running kubectl
# --------------------------------------------------------------------------------------------

def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


class Run:
    """One finished kubectl invocation."""

    def __init__(self, argv, cwd, rc, out, err, seconds, timed_out=False):
        self.argv = argv
        self.cwd = cwd
        self.rc = rc
        self.out = out
        self.err = err
        self.seconds = seconds
        self.timed_out = timed_out

    @property
    def cmd(self):
        return " ".join(_shell_quote(a) for a in self.argv)

    @property
    def lines(self):
        return [l.rstrip() for l in self.out.splitlines() if l.strip()]

    @property
    def err_lines(self):
        return [l.rstrip() for l in self.err.splitlines() if l.strip()]

    def describe(self):
        rc = "KILLED after %.0fs (timeout)" % self.seconds if self.timed_out else str(self.rc)
        return ("\n  command: %s\n  cwd: %s\n  exit code: %s (%.2fs)\n  stdout:\n%s\n  stderr:\n%s" %
                (self.cmd, self.cwd, rc, self.seconds, _indent(self.out), _indent(self.err)))


def _indent(text, limit=6000):
    if len(text) > limit:
        text = text[:limit] + "\n...(%d chars)" % len(text)
    if not text.strip():
        return "    (empty)"
    return "\n".join("    | " + l for l in text.rstrip("\n").split("\n"))


def _shell_quote(a):
    return a if re.match(r"^[\w@%+=:,./-]+$", a) else "'" + a.replace("'", "'\\''") + "'"


class Background:
    """A kubectl left running (get -w, delete --wait): its output lines are collected by threads."""

    def __init__(self, argv, cwd, env):
        self.argv = argv
        self.cwd = cwd
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.out_lines = []
        self.err_lines = []
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.out_lines),
                                         daemon=True),
                        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err_lines),
                                         daemon=True)]
        for t in self.threads:
            t.start()

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self.cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for_line(self, predicate, timeout=WAIT, start=0):
        """The first stdout line (from index `start`) satisfying predicate, or None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.out_lines[start:]:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and
                                      not any(t.is_alive() for t in self.threads)):
                    return None
                self.cond.wait(min(remaining, 0.2))

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        for t in self.threads:
            t.join(5)
        return self.proc.returncode

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill_group(self.proc)
                self.proc.wait(timeout=10)
        for t in self.threads:
            t.join(5)

    def describe(self):
        with self.cond:
            out = "\n".join(self.out_lines)
            err = "\n".join(self.err_lines)
        rc = self.proc.poll()
        return ("\n  background command: %s\n  cwd: %s\n  state: %s after %.1fs\n  stdout so far:\n%s\n"
                "  stderr so far:\n%s" % (" ".join(_shell_quote(a) for a in self.argv), self.cwd,
                                          "running" if rc is None else "exited with %s" % rc,
                                          time.monotonic() - self.started, _indent(out), _indent(err)))


class Kubectl:
    """kubectl with its own HOME (holding a kubeconfig for one server) and KUBECACHEDIR."""

    def __init__(self, binary, root, server_url):
        self.binary = binary
        self.home = os.path.join(root, "home")
        self.cache = os.path.join(root, "kubecache")
        self.work = os.path.join(root, "work")
        for d in (self.home, self.cache, self.work, os.path.join(self.home, ".kube")):
            os.makedirs(d, exist_ok=True)
        self.kubeconfig = os.path.join(self.home, ".kube", "config")
        with open(self.kubeconfig, "w", encoding="utf-8") as f:
            f.write(KUBECONFIG_TEMPLATE % {"server": server_url})
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("KUBECTL_") or k.startswith("KUBE") or k.startswith("KUSTOMIZE"))}
        env.update({"HOME": self.home, "KUBECACHEDIR": self.cache, "LANG": "C.UTF-8",
                    "LC_ALL": "C.UTF-8", "NO_COLOR": "1"})
        env.pop("KUBECONFIG", None)
        self.env = env
        self.background = []

    def argv(self, args, ns):
        argv = [self.binary] + list(args)
        if ns:
            argv += ["-n", ns]
        return argv

    def run(self, *args, ns=None, stdin=None, timeout=None, cwd=None):
        argv = self.argv(args, ns)
        cwd = cwd or self.work
        timeout = timeout or KUBECTL_TIMEOUT
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, env=self.env,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(stdin.encode() if stdin is not None else None, timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate(timeout=10)
            timed_out = True
        return Run(argv, cwd, proc.returncode, out.decode("utf-8", "replace"),
                   err.decode("utf-8", "replace"), time.monotonic() - t0, timed_out)

    def start(self, *args, ns=None, cwd=None):
        bg = Background(self.argv(args, ns), cwd or self.work, self.env)
        self.background.append(bg)
        return bg

    def stop_all(self):
        for bg in self.background:
            bg.stop()


KUBECONFIG_TEMPLATE = """\
apiVersion: v1
kind: Config
clusters:
- name: kactor-e2e
  cluster:
    server: %(server)s
contexts:
- name: kactor-e2e
  context:
    cluster: kactor-e2e
    user: kactor-e2e
    namespace: default
current-context: kactor-e2e
users:
- name: kactor-e2e
  user: {}
preferences: {}
"""


# --------------------------------------------------------------------------------------------
# Parsing kubectl's output
# --------------------------------------------------------------------------------------------

def parse_table(text):
    """kubectl's column output -> (column names, rows as dicts). Columns are cut at the header's
    column starts (kubectl's tabwriter aligns every row to them; names are separated by at
    least 3 spaces, words inside a name such as `NOMINATED NODE` by one)."""
    lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    if not lines:
        return [], []
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", header)]
    names = [m.group(0) for m in re.finditer(r"\S+(?: \S+)*", header)]
    rows = []
    for line in lines[1:]:
        cells = []
        for i, s in enumerate(starts):
            e = starts[i + 1] if i + 1 < len(starts) else None
            cells.append(line[s:e].strip() if e is not None else line[s:].strip())
        rows.append(dict(zip(names, cells)))
    return names, rows


def parse_tables(text):
    """Several tables separated by blank lines (`get cm,svc`, `get all`)."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        if block.strip():
            out.append(parse_table(block))
    return out


def columns_of(line):
    """Cells of one output line, split on runs of 2+ spaces (for lines printed by `get -w` one at
    a time, which are not aligned with each other)."""
    return re.split(r"\s{2,}", line.strip())


def row_named(rows, name, key="NAME"):
    for r in rows:
        if r.get(key) == name:
            return r
    return None


def rfc3339(seconds_ago=0):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds_ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Objects made over raw HTTP (for tests that only read or change them)
# --------------------------------------------------------------------------------------------

def pod(name, labels=None, image="busybox:1.36", node="e2e-nowhere", annotations=None):
    """A pod bound to a node that does not exist (no scheduler or kubelet ever touches it) unless
    node is None: then it is unscheduled, which Kubernetes deletes at once (no grace period)."""
    md = {"name": name}
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    spec = {"containers": [{"name": "main", "image": image, "command": ["sleep", "3600"]}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}


def configmap(name, data=None, labels=None, finalizers=None):
    md = {"name": name}
    if labels:
        md["labels"] = labels
    if finalizers:
        md["finalizers"] = finalizers
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": data or {}}


def deployment(name, containers, replicas=1, app=None):
    app = app or name
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": app}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": {"labels": {"app": app}},
                                  "spec": {"containers": containers}}}}


def ns_path(ns, plural, name=None, group="/api/v1"):
    p = "%s/namespaces/%s/%s" % (group, ns, plural)
    return p + "/" + name if name else p


# --------------------------------------------------------------------------------------------
# Base class: one server, one HOME, assertion helpers
# --------------------------------------------------------------------------------------------

class KubectlCase(unittest.TestCase):
    LABEL = "kubectl"
    NS = "default"
    NAMESPACES = ()  # created over raw HTTP before the tests

    @classmethod
    def setUpClass(cls):
        cls.minor = client_minor()
        cls.server = KactorServer(label="%s-1.%d" % (cls.LABEL, cls.minor))
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.http = cls.server.client()
        cls.root = tempfile.mkdtemp(prefix="kactor-e2e-kubectl-%s-" % cls.LABEL.lower())
        if os.environ.get("KACTOR_E2E_KEEP"):
            cls.addClassCleanup(sys.stderr.write, "KACTOR_E2E_KEEP: kept %s\n" % cls.root)
        else:
            cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.kubectl = Kubectl(kubectl_binary(), cls.root, cls.server.url)
        cls.addClassCleanup(cls.kubectl.stop_all)  # runs before the server is stopped
        for ns in cls.NAMESPACES:
            cls.http.ensure_namespace(ns)
        cls.set_up_objects()

    @classmethod
    def set_up_objects(cls):
        pass

    # -- raw HTTP set-up helpers -----------------------------------------------------------------
    @classmethod
    def make(cls, path, obj):
        return cls.http.create(path, obj)

    @classmethod
    def make_yaml(cls, path, text):
        return cls.http.expect(cls.http.post(path, text, "application/yaml"), 201, "create YAML")

    # -- files in the work dir ---------------------------------------------------------------
    def write(self, name, text):
        path = os.path.join(self.kubectl.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return name

    def copy_example(self, name, dest=None):
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
            return self.write(dest or name, f.read())

    def read_work(self, name):
        with open(os.path.join(self.kubectl.work, name), encoding="utf-8") as f:
            return f.read()

    # -- running kubectl ---------------------------------------------------------------------
    def k(self, *args, ns=None, **kw):
        """Runs kubectl; `-n <class NS>` is added unless ns is given ("" for none)."""
        return self.kubectl.run(*args, ns=self.NS if ns is None else ns, **kw)

    def ok(self, *args, **kw):
        """Runs kubectl and asserts exit code 0 and no error on stderr."""
        r = self.k(*args, **kw)
        if r.rc != 0 or r.timed_out:
            self.fail("expected exit code 0" + r.describe())
        bad = [l for l in r.err_lines if l.startswith("error") or l.startswith("Error") or
               l.startswith("E") and re.match(r"^E\d{4} ", l)]
        if bad:
            self.fail("exit code 0 but errors on stderr" + r.describe())
        return r

    def fails(self, *args, err=None, err_re=None, rc=1, **kw):
        """Runs kubectl and asserts exit code `rc` and the line `err` (exactly) or a line matching
        `err_re` on stderr."""
        r = self.k(*args, **kw)
        if r.timed_out or r.rc != rc:
            self.fail("expected exit code %d" % rc + r.describe())
        if err is not None and err not in r.err_lines:
            self.fail("expected this line on stderr:\n    %s%s" % (err, r.describe()))
        if err_re is not None and not any(re.search(err_re, l) for l in r.err_lines):
            self.fail("expected a stderr line matching %r%s" % (err_re, r.describe()))
        return r

    def expect(self, cond, run, what):
        if not cond:
            self.fail(what + (run.describe() if run is not None else ""))

    def out_is(self, run, lines, what="stdout"):
        """stdout must be exactly these lines (trailing spaces and blank lines ignored)."""
        self.expect(run.lines == list(lines), run,
                    "%s: expected exactly\n%s" % (what, _indent("\n".join(lines))))

    def out_has(self, run, line):
        self.expect(line in run.lines, run, "expected this line on stdout:\n    %s" % line)

    def table(self, run, columns=None, prefix=False):
        """Parses stdout as a table and checks its column names (exactly, or as a prefix)."""
        names, rows = parse_table(run.out)
        if columns is not None:
            got = names[:len(columns)] if prefix else names
            self.expect(got == list(columns), run, "table columns: expected %s, got %s" % (columns, names))
        return rows

    def row(self, run, rows, name, key="NAME"):
        r = row_named(rows, name, key)
        self.expect(r is not None, run, "no table row with %s %r" % (key, name))
        return r

    def cells(self, run, row, **expected):
        """Each given column (name with _ for space and - ; e.g. NOMINATED_NODE) must equal the
        value, or match it when the value is a compiled regex."""
        for col, want in expected.items():
            key = col.replace("__", "-").replace("_", " ")
            got = row.get(key)
            if hasattr(want, "match"):
                ok = got is not None and want.match(got)
            else:
                ok = got == want
            self.expect(ok, run, "column %s of row %s: expected %r, got %r" %
                        (key, row.get("NAME"), getattr(want, "pattern", want), got))

    def json_out(self, run):
        try:
            return json.loads(run.out)
        except ValueError:
            self.fail("stdout is not JSON" + run.describe())

    def get_json(self, kind_name, ns=None):
        return self.json_out(self.ok("get", kind_name, "-o", "json", ns=ns))

    def http_exists(self, path):
        r = self.http.get(path)
        if r.status not in (200, 404):
            self.fail("GET %s: %s" % (path, r.describe()))
        return r.status == 200


# ============================================================================================
# version, api-resources, short names, explain
# ============================================================================================

class DiscoveryTest(KubectlCase):
    LABEL = "discovery"
    NS = "e2e-disc"
    NAMESPACES = ("e2e-disc",)

    # resource, short name, APIVERSION, NAMESPACED, KIND (as a 1.32 cluster lists them)
    RESOURCES = [
        ("pods", "po", "v1", "true", "Pod"),
        ("services", "svc", "v1", "true", "Service"),
        ("endpoints", "ep", "v1", "true", "Endpoints"),
        ("nodes", "no", "v1", "false", "Node"),
        ("namespaces", "ns", "v1", "false", "Namespace"),
        ("configmaps", "cm", "v1", "true", "ConfigMap"),
        ("secrets", "", "v1", "true", "Secret"),
        ("serviceaccounts", "sa", "v1", "true", "ServiceAccount"),
        ("events", "ev", "v1", "true", "Event"),
        ("replicationcontrollers", "rc", "v1", "true", "ReplicationController"),
        ("replicasets", "rs", "apps/v1", "true", "ReplicaSet"),
        ("deployments", "deploy", "apps/v1", "true", "Deployment"),
    ]

    def test_01_version(self):
        r = self.ok("version", ns="")
        self.expect(len(r.lines) == 3, r, "version prints three lines (client, kustomize, server)")
        self.expect(re.match(r"^Client Version: v1\.%d\.\d+" % self.minor, r.lines[0]), r,
                    "first line: Client Version: v1.%d.x" % self.minor)
        self.expect(re.match(r"^Kustomize Version: v\d+\.\d+\.\d+$", r.lines[1]), r,
                    "second line: Kustomize Version: v5.x.y")
        self.expect(re.match(r"^Server Version: v1\.32\.\d+", r.lines[2]), r,
                    "third line: Server Version: v1.32.x")
        self.expect(not any("WARNING" in l for l in r.err_lines), r,
                    "client 1.%d and server 1.32 are within the supported skew: no warning" % self.minor)
        j = self.json_out(self.ok("version", "-o", "json", ns=""))
        sv = j.get("serverVersion") or {}
        self.assertEqual((sv.get("major"), sv.get("minor")), ("1", "32"), "serverVersion in %r" % j)
        self.assertRegex(sv.get("gitVersion", ""), r"^v1\.32\.\d+")
        for k in ("gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"):
            self.assertIsInstance(sv.get(k), str, "serverVersion.%s in %r" % (k, sv))
        self.assertTrue(str(j.get("clientVersion", {}).get("minor", "")).startswith(str(self.minor)),
                        "clientVersion in %r" % j)

    def test_02_api_resources(self):
        r = self.ok("api-resources", ns="")
        rows = self.table(r, ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"])
        for name, short, gv, namespaced, kind in self.RESOURCES:
            row = self.row(r, rows, name)
            self.cells(r, row, SHORTNAMES=short, APIVERSION=gv, NAMESPACED=namespaced, KIND=kind)
        keys = [(x["NAME"], x["APIVERSION"]) for x in rows]
        self.expect(len(keys) == len(set(keys)), r, "a resource is listed twice")

        r = self.ok("api-resources", "-o", "wide", ns="")
        rows = self.table(r, ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS",
                              "CATEGORIES"])
        for name in ("pods", "services", "replicationcontrollers", "deployments", "replicasets"):
            row = self.row(r, rows, name)
            self.cells(r, row, CATEGORIES="all")
            verbs = re.split(r"[,\s]+", row["VERBS"].strip("[]"))
            for v in ("create", "delete", "get", "list", "patch", "update", "watch"):
                self.expect(v in verbs, r, "%s: verb %s missing from %s" % (name, v, row["VERBS"]))
        for name in ("configmaps", "secrets", "namespaces", "nodes", "events", "endpoints",
                     "serviceaccounts"):
            self.cells(r, self.row(r, rows, name), CATEGORIES="")

        r = self.ok("api-resources", "--api-group=apps", "-o", "name", ns="")
        for line in ("deployments.apps", "replicasets.apps"):
            self.out_has(r, line)
        self.expect(all(l.endswith(".apps") for l in r.lines), r, "only group apps")

        r = self.ok("api-resources", "--namespaced=false", "-o", "name", ns="")
        for line in ("namespaces", "nodes"):
            self.out_has(r, line)
        for line in ("pods", "configmaps", "deployments.apps"):
            self.expect(line not in r.lines, r, "%s is namespaced" % line)

    def test_03_short_names(self):
        # Every short name of the notes resolves (discovery's shortNames). A new namespace holds
        # nothing of these kinds (except what controllers add: the default ServiceAccount and the
        # kube-root-ca.crt ConfigMap), so kubectl says so on stderr, with exit code 0.
        for short in ("po", "svc", "ep", "cm", "secret", "sa", "rc", "rs", "deploy", "ev"):
            r = self.ok("get", short)
            empty = r.out == "" and r.err_lines == ["No resources found in %s namespace." % self.NS]
            listed = short in ("cm", "sa") and parse_table(r.out)[0][:1] == ["NAME"]
            self.expect(empty or listed, r, "kubectl get %s in a new namespace" % short)
        r = self.ok("get", "no", ns="")
        self.expect(r.out == "" and r.err_lines == ["No resources found"], r,
                    "no nodes yet (a cluster-scoped kind: no namespace in the message)")
        r = self.ok("get", "ns", ns="")
        rows = self.table(r, ["NAME", "STATUS", "AGE"])
        for name in ("default", "kube-system", "kube-public", "kube-node-lease", self.NS):
            self.cells(r, self.row(r, rows, name), STATUS="Active", AGE=re.compile(AGE_RE))
        # Singular, plural, kind and group-qualified names resolve too.
        for name in ("pod", "pods", "Pod", "deployment.apps", "deployments.v1.apps"):
            self.ok("get", name)

    def test_04_explain(self):
        r = self.ok("explain", "pod.spec.containers", ns="")
        lines = r.out.splitlines()
        self.expect(re.match(r"^KIND:\s+Pod$", lines[0] if lines else ""), r, "first line KIND:       Pod")
        self.expect(len(lines) > 1 and re.match(r"^VERSION:\s+v1$", lines[1]), r,
                    "second line VERSION:    v1")
        self.expect("FIELD: containers <[]Container>" in lines, r,
                    "a line FIELD: containers <[]Container>")
        self.expect("DESCRIPTION:" in lines and "FIELDS:" in lines, r, "DESCRIPTION: and FIELDS: headers")
        # Kubernetes' field descriptions are its own documentation text, which kactor does not
        # copy: the OpenAPI documents carry types, required fields and enums, not those
        # sentences, so only the section's presence is checked here.
        self.expect(lines.index("DESCRIPTION:") < lines.index("FIELDS:"), r,
                    "DESCRIPTION: comes before FIELDS:")
        fields = {}
        order = []
        for line in lines[lines.index("FIELDS:") + 1:]:
            m = re.match(r"^  (\w+)\t<([^>]+)>( -required-)?$", line)
            if m:
                fields[m.group(1)] = (m.group(2), bool(m.group(3)))
                order.append(m.group(1))
        expected = {"args": "[]string", "command": "[]string", "env": "[]EnvVar",
                    "envFrom": "[]EnvFromSource", "image": "string", "imagePullPolicy": "string",
                    "lifecycle": "Lifecycle", "livenessProbe": "Probe", "name": "string",
                    "ports": "[]ContainerPort", "readinessProbe": "Probe",
                    "resizePolicy": "[]ContainerResizePolicy", "resources": "ResourceRequirements",
                    "restartPolicy": "string", "securityContext": "SecurityContext",
                    "startupProbe": "Probe", "stdin": "boolean", "stdinOnce": "boolean",
                    "terminationMessagePath": "string", "terminationMessagePolicy": "string",
                    "tty": "boolean", "volumeDevices": "[]VolumeDevice",
                    "volumeMounts": "[]VolumeMount", "workingDir": "string"}
        for name, typ in expected.items():
            self.expect(name in fields, r, "field line `  %s\\t<%s>` missing" % (name, typ))
            self.expect(fields[name][0] == typ, r, "field %s: type <%s>, expected <%s>" %
                        (name, fields[name][0], typ))
            self.expect(fields[name][1] == (name == "name"), r,
                        "field %s: -required- only on name" % name)
        self.expect(order == sorted(order), r, "fields are listed in alphabetical order")
        extra = sorted(set(fields) - set(expected))
        self.expect(not extra, r, "fields Kubernetes 1.32's Container does not have: %s" % extra)
        self.expect("  enum: Always, IfNotPresent, Never" in lines, r,
                    "imagePullPolicy's enum line `  enum: Always, IfNotPresent, Never`")

        r = self.ok("explain", "deployment.spec.replicas", ns="")
        lines = r.out.splitlines()
        self.expect(lines[:3] == ["GROUP:      apps", "KIND:       Deployment", "VERSION:    v1"], r,
                    "GROUP/KIND/VERSION header of an apps/v1 kind")
        self.expect("FIELD: replicas <integer>" in lines, r, "FIELD: replicas <integer>")

        r = self.ok("explain", "svc", ns="")
        lines = r.out.splitlines()
        self.expect(lines[:2] == ["KIND:       Service", "VERSION:    v1"], r, "KIND/VERSION of svc")
        for f in ("apiVersion\t<string>", "kind\t<string>", "metadata\t<ObjectMeta>",
                  "spec\t<ServiceSpec>", "status\t<ServiceStatus>"):
            self.expect("  " + f in lines, r, "field line %r" % f)

        self.fails("explain", "pod.spec.nope", ns="", err='error: field "nope" does not exist')
        # (explain prints this one without kubectl's usual "error: " prefix.)
        self.fails("explain", "nosuchthing", ns="",
                   err='the server doesn\'t have a resource type "nosuchthing"')

    def test_05_server_kubeconfig(self):
        # The kubeconfig kactor writes next to its data: kubectl works with it alone.
        path = os.path.join(self.server.data_dir, "kubeconfig")
        if not os.path.isfile(path):
            self.skipTest("kactor wrote no %s" % path)
        r = self.ok("--kubeconfig", path, "get", "ns", "default", "-o", "name", ns="")
        self.out_is(r, ["namespace/default"])
        r = self.ok("--kubeconfig", path, "config", "view", "--minify", "-o",
                    "jsonpath={.clusters[0].cluster.server}", ns="")
        self.assertEqual(r.out, self.server.url, r.describe())


# ============================================================================================
# create namespace | configmap | secret generic | serviceaccount (typed clients: protobuf bodies)
# ============================================================================================

class ImperativeCreateTest(KubectlCase):
    LABEL = "create"
    NS = "e2e-gen"
    NAMESPACES = ("e2e-gen",)

    def test_01_create_namespace(self):
        r = self.ok("create", "namespace", "e2e-dev", ns="")
        self.out_is(r, ["namespace/e2e-dev created"])
        ns = self.get_json("namespace/e2e-dev", ns="")
        self.assertEqual(ns.get("kind"), "Namespace")
        self.assertEqual((ns.get("status") or {}).get("phase"), "Active", "status of %r" % ns)
        self.assertEqual((ns.get("metadata", {}).get("labels") or {}).get("kubernetes.io/metadata.name"),
                         "e2e-dev", "labels of %r" % ns)
        r = self.ok("get", "ns", "e2e-dev", ns="")
        rows = self.table(r, ["NAME", "STATUS", "AGE"])
        self.cells(r, self.row(r, rows, "e2e-dev"), STATUS="Active", AGE=re.compile(AGE_RE))
        self.fails("create", "namespace", "e2e-dev", ns="",
                   err='Error from server (AlreadyExists): namespaces "e2e-dev" already exists')
        # The new namespace is usable at once.
        self.out_is(self.ok("create", "configmap", "in-dev", "--from-literal=a=1", ns="e2e-dev"),
                    ["configmap/in-dev created"])

    def test_02_create_configmap_from_literal(self):
        r = self.ok("create", "configmap", "lit", "--from-literal=a=1", "--from-literal=greeting=hello world")
        self.out_is(r, ["configmap/lit created"])
        cm = self.get_json("configmap/lit")
        self.assertEqual(cm.get("data"), {"a": "1", "greeting": "hello world"}, "data of %r" % cm)
        self.assertEqual(cm["metadata"].get("namespace"), self.NS)
        r = self.ok("get", "cm", "lit")
        rows = self.table(r, ["NAME", "DATA", "AGE"])
        self.cells(r, self.row(r, rows, "lit"), DATA="2", AGE=re.compile(AGE_RE))
        self.fails("create", "configmap", "lit", "--from-literal=a=2",
                   err='error: failed to create configmap: configmaps "lit" already exists')
        self.assertEqual(self.get_json("configmap/lit").get("data"), {"a": "1", "greeting": "hello world"},
                         "a failed create leaves the object alone")

    def test_03_create_configmap_from_file(self):
        self.write("app.properties", "color=blue\nsize=10\n")
        self.write("motd.txt", "hello file\n")
        r = self.ok("create", "configmap", "files", "--from-file=app.properties",
                    "--from-file=banner=motd.txt")
        self.out_is(r, ["configmap/files created"])
        self.assertEqual(self.get_json("configmap/files").get("data"),
                         {"app.properties": "color=blue\nsize=10\n", "banner": "hello file\n"})
        # --from-file and --from-literal together, as in the notes.
        r = self.ok("create", "configmap", "mixed", "--from-file=motd.txt", "--from-literal=k=v")
        self.out_is(r, ["configmap/mixed created"])
        self.assertEqual(self.get_json("configmap/mixed").get("data"), {"motd.txt": "hello file\n", "k": "v"})

    def test_04_create_configmap_from_directory(self):
        # `kubectl create configmap NAME --from-file=config-files-dir`: one key per regular file;
        # subdirectories are skipped.
        self.write("cfgdir/server.xml", "<Server port=\"8005\"/>\n")
        self.write("cfgdir/logging.properties", "level=INFO\n")
        self.write("cfgdir/sub/ignored.txt", "not a key\n")
        r = self.ok("create", "configmap", "fromdir", "--from-file=cfgdir")
        self.out_is(r, ["configmap/fromdir created"])
        self.assertEqual(self.get_json("configmap/fromdir").get("data"),
                         {"logging.properties": "level=INFO\n", "server.xml": "<Server port=\"8005\"/>\n"})
        r = self.ok("describe", "configmap", "fromdir")
        lines = r.out.splitlines()
        self.expect(any(re.match(r"^Name:\s+fromdir$", l) for l in lines), r, "Name: fromdir")
        for key in ("logging.properties:", "server.xml:"):
            self.expect(key in lines, r, "describe lists key %s" % key)
        self.expect(any(re.match(r"^Events:\s+<none>$", l) for l in lines), r, "Events:  <none>")

    def test_05_create_configmap_errors(self):
        self.fails("create", "configmap", "x", "--from-literal=a=1", ns="e2e-nons",
                   err='error: failed to create configmap: namespaces "e2e-nons" not found')
        self.fails("create", "configmap", "Bad_Name", "--from-literal=a=1",
                   err='error: failed to create configmap: ConfigMap "Bad_Name" is invalid: '
                       'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must '
                       'consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and '
                       'end with an alphanumeric character (e.g. \'example.com\', regex used for '
                       'validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')')

    def test_06_create_secret_generic(self):
        self.write("ssh-key", "not really a key\n")
        r = self.ok("create", "secret", "generic", "db-user", "--from-literal=username=admin",
                    "--from-literal=password=s3cr3t!", "--from-file=ssh-key")
        self.out_is(r, ["secret/db-user created"])
        s = self.get_json("secret/db-user")
        self.assertEqual(s.get("type"), "Opaque")
        self.assertEqual(s.get("data"), {"username": "YWRtaW4=", "password": "czNjcjN0IQ==",
                                         "ssh-key": "bm90IHJlYWxseSBhIGtleQo="}, "data of %r" % s)
        r = self.ok("get", "secret", "db-user")
        rows = self.table(r, ["NAME", "TYPE", "DATA", "AGE"])
        self.cells(r, self.row(r, rows, "db-user"), TYPE="Opaque", DATA="3")
        r = self.ok("get", "secret", "db-user", "-o", "jsonpath={.data.username}")
        self.assertEqual(r.out, "YWRtaW4=", r.describe())
        r = self.ok("describe", "secret", "db-user")
        lines = r.out.splitlines()
        for pat in (r"^Name:\s+db-user$", r"^Type:\s+Opaque$", r"^username:\s+5 bytes$",
                    r"^password:\s+7 bytes$"):
            self.expect(any(re.match(pat, l) for l in lines), r, "describe secret: a line %r" % pat)
        self.fails("create", "secret", "generic", "db-user", "--from-literal=a=b",
                   err='error: failed to create secret secrets "db-user" already exists')

    def test_07_create_serviceaccount(self):
        self.out_is(self.ok("create", "serviceaccount", "builder"), ["serviceaccount/builder created"])
        r = self.ok("get", "sa", "builder")
        rows = self.table(r, ["NAME", "SECRETS", "AGE"])
        self.cells(r, self.row(r, rows, "builder"), SECRETS="0")
        self.fails("create", "serviceaccount", "builder",
                   err='error: failed to create serviceaccount: serviceaccounts "builder" already exists')

    def test_08_create_deployment(self):
        # A protobuf body from kubectl >= 1.32, with replicas 0 kept (a pointer field in Go).
        self.out_is(self.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=0",
                            "--port=80"), ["deployment.apps/web created"])
        d = self.get_json("deployment/web")
        self.assertEqual(d["spec"]["replicas"], 0)
        self.assertEqual(d["spec"]["selector"], {"matchLabels": {"app": "web"}})
        container = d["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual((container["name"], container["image"]), ("nginx", "nginx:1.27"))
        self.assertEqual(container["ports"], [{"containerPort": 80, "protocol": "TCP"}])
        self.assertEqual(d["spec"]["strategy"]["type"], "RollingUpdate", "defaults applied")
        r = self.ok("get", "deploy", "web", "-o", "wide")
        rows = self.table(r, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS",
                              "IMAGES", "SELECTOR"])
        self.cells(r, self.row(r, rows, "web"), READY="0/0", IMAGES="nginx:1.27", SELECTOR="app=web")
        self.fails("create", "deployment", "web", "--image=nginx",
                   err='error: failed to create deployment: deployments.apps "web" already exists')

    def test_09_create_service(self):
        self.out_is(self.ok("create", "service", "clusterip", "api", "--tcp=80:8080"),
                    ["service/api created"])
        svc = self.get_json("service/api")
        self.assertRegex(svc["spec"]["clusterIP"], IP_RE)
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], 8080)
        self.assertEqual(svc["spec"]["selector"], {"app": "api"})
        self.out_is(self.ok("create", "service", "nodeport", "edge", "--tcp=443:8443",
                            "--node-port=30443"), ["service/edge created"])
        r = self.ok("get", "svc", "edge")
        rows = self.table(r, ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
        self.cells(r, self.row(r, rows, "edge"), TYPE="NodePort", **{"PORT(S)": "443:30443/TCP"})


# ============================================================================================
# get: tables, -o wide|yaml|json|name|jsonpath, --show-labels, -l, -A, --sort-by, -w
# ============================================================================================

class GetTest(KubectlCase):
    LABEL = "get"
    NS = "e2e-get"
    NAMESPACES = ("e2e-get", "e2e-get2", "e2e-watch", "e2e-watch2")

    @classmethod
    def set_up_objects(cls):
        ns = cls.NS
        # Created out of name order; images sort in the reverse order of names.
        cls.make(ns_path(ns, "pods"), pod("web-2", {"app": "web"}, image="busybox:1.36"))
        cls.make(ns_path(ns, "pods"), pod("db-1", {"app": "db"}, image="redis:7.2"))
        cls.make(ns_path(ns, "pods"), pod("web-1", {"app": "web", "tier": "frontend"}, image="nginx:1.27"))
        cls.make(ns_path("e2e-get2", "pods"), pod("other", {"app": "web"}))
        for f in ("cm-appvars.yaml", "secret.yaml", "mysql-svc.yaml", "nginx-headless-svc.yaml",
                  "external-service-endpoints.yaml", "mysql-rc.yaml", "nginx-deployment.yaml"):
            with open(os.path.join(EXAMPLES, f), encoding="utf-8") as fh:
                docs = [d for d in re.split(r"^---[ \t]*$", fh.read(), flags=re.M) if d.strip()]
            for d in docs:
                kind = re.search(r"^kind:\s*(\w+)", d, re.M).group(1)
                plural, group = {"ConfigMap": ("configmaps", "/api/v1"), "Secret": ("secrets", "/api/v1"),
                                 "Service": ("services", "/api/v1"), "Endpoints": ("endpoints", "/api/v1"),
                                 "ReplicationController": ("replicationcontrollers", "/api/v1"),
                                 "Deployment": ("deployments", "/apis/apps/v1")}[kind]
                cls.make_yaml(ns_path(ns, plural, group=group), d)
        cls.make(ns_path("e2e-watch", "configmaps"), configmap("seed", {"a": "1"}))
        cls.make(ns_path("e2e-watch2", "configmaps"), configmap("seed-w", {"a": "1"}, {"watch": "yes"}))

    def test_01_get_pods_table(self):
        r = self.ok("get", "pods")
        rows = self.table(r, ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        self.assertEqual([x["NAME"] for x in rows], ["db-1", "web-1", "web-2"], r.describe())
        for x in rows:
            self.cells(r, x, READY="0/1", STATUS="Pending", RESTARTS="0", AGE=re.compile(AGE_RE))
        r = self.ok("get", "pod", "web-1")
        rows = self.table(r, ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        self.assertEqual([x["NAME"] for x in rows], ["web-1"], r.describe())
        r = self.ok("get", "pods", "web-2", "db-1")
        self.assertEqual([x["NAME"] for x in self.table(r)], ["web-2", "db-1"], r.describe())
        r = self.ok("get", "pods/web-2")
        self.assertEqual([x["NAME"] for x in self.table(r)], ["web-2"], r.describe())

    def test_02_get_wide(self):
        r = self.ok("get", "pods", "-o", "wide")
        rows = self.table(r, ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                              "NOMINATED NODE", "READINESS GATES"])
        self.cells(r, self.row(r, rows, "web-1"), STATUS="Pending", IP="<none>", NODE="e2e-nowhere",
                   NOMINATED_NODE="<none>", READINESS_GATES="<none>")
        r = self.ok("get", "deploy", "-o", "wide")
        rows = self.table(r, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS",
                              "IMAGES", "SELECTOR"])
        self.cells(r, self.row(r, rows, "nginx-deployment"), READY=re.compile(r"^\d+/2$"),
                   CONTAINERS="nginx", IMAGES="nginx:1.14.2", SELECTOR="app=nginx")
        r = self.ok("get", "svc", "-o", "wide")
        rows = self.table(r, ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"])
        self.cells(r, self.row(r, rows, "mysql"), TYPE="ClusterIP", CLUSTER__IP=re.compile(IP_RE),
                   EXTERNAL__IP="<none>", **{"PORT(S)": "3306/TCP"}, SELECTOR="app=mysql")
        self.cells(r, self.row(r, rows, "nginx"), TYPE="ClusterIP", CLUSTER__IP="None",
                   **{"PORT(S)": "80/TCP"}, SELECTOR="app=nginx")
        self.cells(r, self.row(r, rows, "my-service"), TYPE="ClusterIP", CLUSTER__IP=re.compile(IP_RE),
                   **{"PORT(S)": "80/TCP"}, SELECTOR="<none>")
        r = self.ok("get", "rc", "-o", "wide")
        rows = self.table(r, ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES",
                              "SELECTOR"])
        self.cells(r, self.row(r, rows, "mysql"), DESIRED="1", CONTAINERS="mysql", IMAGES="mysql",
                   SELECTOR="app=mysql")

    def test_03_get_other_tables(self):
        r = self.ok("get", "deploy")
        self.cells(r, self.row(r, self.table(r, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]),
                               "nginx-deployment"), READY=re.compile(r"^\d+/2$"))
        r = self.ok("get", "cm")
        self.cells(r, self.row(r, self.table(r, ["NAME", "DATA", "AGE"]), "cm-appvars"), DATA="2")
        r = self.ok("get", "secrets")
        self.cells(r, self.row(r, self.table(r, ["NAME", "TYPE", "DATA", "AGE"]), "mysecret"),
                   TYPE="Opaque", DATA="2")
        r = self.ok("get", "ep")
        self.cells(r, self.row(r, self.table(r, ["NAME", "ENDPOINTS", "AGE"]), "my-service"),
                   ENDPOINTS="1.2.3.4:80")
        r = self.ok("get", "rc")
        self.cells(r, self.row(r, self.table(r, ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]), "mysql"),
                   DESIRED="1")
        r = self.ok("get", "svc", "mysql")
        self.cells(r, self.row(r, self.table(r, ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)",
                                                 "AGE"]), "mysql"), TYPE="ClusterIP")
        # (Its port is kactor's plain-HTTP API port, not Kubernetes' 443: not checked.)
        r = self.ok("get", "svc", "kubernetes", ns="default")
        self.cells(r, self.row(r, self.table(r), "kubernetes"), TYPE="ClusterIP",
                   CLUSTER__IP=re.compile(IP_RE), EXTERNAL__IP="<none>")

    def test_04_get_multiple_types_and_all(self):
        r = self.ok("get", "cm,secret", "-o", "name")
        for line in ("configmap/cm-appvars", "secret/mysecret"):
            self.out_has(r, line)
        r = self.ok("get", "cm,svc")
        tables = parse_tables(r.out)
        self.expect(len(tables) == 2, r, "two tables, separated by a blank line")
        self.expect(tables[0][0] == ["NAME", "DATA", "AGE"] and
                    row_named(tables[0][1], "configmap/cm-appvars") is not None, r,
                    "first table: configmaps with the configmap/ prefix")
        self.expect(tables[1][0][:2] == ["NAME", "TYPE"] and
                    row_named(tables[1][1], "service/mysql") is not None, r,
                    "second table: services with the service/ prefix")
        r = self.ok("get", "all")
        names = set()
        for cols, rows in parse_tables(r.out):
            names.update(x.get("NAME") for x in rows)
        for want in ("pod/web-1", "pod/db-1", "service/mysql", "service/nginx", "service/my-service",
                     "replicationcontroller/mysql", "deployment.apps/nginx-deployment"):
            self.expect(want in names, r, "get all lists %s" % want)
        self.expect("configmap/cm-appvars" not in names, r, "configmaps are not in category all")

    def test_05_show_labels_and_selectors(self):
        r = self.ok("get", "pods", "--show-labels")
        rows = self.table(r, ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "LABELS"])
        self.cells(r, self.row(r, rows, "web-1"), LABELS="app=web,tier=frontend")
        self.cells(r, self.row(r, rows, "db-1"), LABELS="app=db")
        r = self.ok("get", "pods", "-L", "tier")
        rows = self.table(r, ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "TIER"])
        self.cells(r, self.row(r, rows, "web-1"), TIER="frontend")
        self.cells(r, self.row(r, rows, "web-2"), TIER="")
        for sel, want in (("app=web", ["web-1", "web-2"]), ("app!=web", ["db-1"]),
                          ("app in (web,db)", ["db-1", "web-1", "web-2"]), ("tier", ["web-1"]),
                          ("!tier,app=web", ["web-2"])):
            r = self.ok("get", "pods", "-l", sel)
            self.assertEqual([x["NAME"] for x in self.table(r)], want, "-l %s%s" % (sel, r.describe()))
        r = self.ok("get", "pods", "-l", "app=nothing")
        self.expect(r.out == "" and r.err_lines == ["No resources found in e2e-get namespace."], r,
                    "no pod matches")
        r = self.ok("get", "pods", "--field-selector", "metadata.name=db-1", "-o", "name")
        self.out_is(r, ["pod/db-1"])

    def test_06_all_namespaces(self):
        r = self.ok("get", "pods", "-A", ns="")
        rows = self.table(r, ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        got = [(x["NAMESPACE"], x["NAME"]) for x in rows]
        self.assertEqual(got, [("e2e-get", "db-1"), ("e2e-get", "web-1"), ("e2e-get", "web-2"),
                               ("e2e-get2", "other")], r.describe())
        r = self.ok("get", "pods", "--all-namespaces", "-l", "app=web", "-o", "wide", ns="")
        rows = self.table(r, ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                              "NOMINATED NODE", "READINESS GATES"])
        self.assertEqual([(x["NAMESPACE"], x["NAME"]) for x in rows],
                         [("e2e-get", "web-1"), ("e2e-get", "web-2"), ("e2e-get2", "other")], r.describe())
        r = self.ok("get", "pods", "-A", "-o", "name", ns="")
        self.out_is(r, ["pod/db-1", "pod/web-1", "pod/web-2", "pod/other"])
        r = self.ok("get", "ns", "e2e-get", "e2e-get2", ns="")
        self.assertEqual([x["NAME"] for x in self.table(r, ["NAME", "STATUS", "AGE"])],
                         ["e2e-get", "e2e-get2"], r.describe())

    def test_07_sort_by(self):
        r = self.ok("get", "pods", "--sort-by=.spec.containers[0].image")
        self.assertEqual([x["NAME"] for x in self.table(r, ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])],
                         ["web-2", "web-1", "db-1"], "by image: busybox, nginx, redis" + r.describe())
        r = self.ok("get", "pods", "--sort-by=.metadata.name")
        self.assertEqual([x["NAME"] for x in self.table(r)], ["db-1", "web-1", "web-2"], r.describe())
        r = self.ok("get", "pods", "-A", "--sort-by=.metadata.name", ns="")
        self.assertEqual([(x["NAMESPACE"], x["NAME"]) for x in self.table(r)],
                         [("e2e-get", "db-1"), ("e2e-get2", "other"), ("e2e-get", "web-1"),
                          ("e2e-get", "web-2")], r.describe())
        r = self.ok("get", "pods", "--sort-by=.spec.containers[0].image", "-o", "name")
        self.out_is(r, ["pod/web-2", "pod/web-1", "pod/db-1"])

    def test_08_output_name(self):
        self.out_is(self.ok("get", "pods", "-o", "name"), ["pod/db-1", "pod/web-1", "pod/web-2"])
        self.out_is(self.ok("get", "pod", "web-1", "-o", "name"), ["pod/web-1"])
        self.out_is(self.ok("get", "deploy", "-o", "name"), ["deployment.apps/nginx-deployment"])
        self.out_is(self.ok("get", "svc", "-o", "name"), ["service/my-service", "service/mysql", "service/nginx"])
        self.out_is(self.ok("get", "ns", "e2e-get", "-o", "name", ns=""), ["namespace/e2e-get"])

    def test_09_output_json_yaml(self):
        r = self.ok("get", "pod", "web-1", "-o", "json")
        p = self.json_out(r)
        self.assertEqual((p.get("apiVersion"), p.get("kind")), ("v1", "Pod"), r.describe())
        self.assertEqual(p["metadata"].get("name"), "web-1")
        self.assertEqual(p["metadata"].get("namespace"), "e2e-get")
        self.assertEqual(p["metadata"].get("labels"), {"app": "web", "tier": "frontend"})
        self.assertEqual(p["spec"]["containers"][0]["image"], "nginx:1.27")
        self.assertEqual((p.get("status") or {}).get("phase"), "Pending", r.describe())
        r = self.ok("get", "pods", "-o", "json")
        lst = self.json_out(r)
        self.assertEqual((lst.get("apiVersion"), lst.get("kind")), ("v1", "List"), r.describe())
        self.assertEqual([(i.get("kind"), i.get("apiVersion"), i["metadata"]["name"]) for i in lst["items"]],
                         [("Pod", "v1", "db-1"), ("Pod", "v1", "web-1"), ("Pod", "v1", "web-2")], r.describe())
        r = self.ok("get", "pod", "web-1", "-o", "yaml")
        lines = r.out.splitlines()
        for want in ("apiVersion: v1", "kind: Pod", "metadata:", "  name: web-1", "  namespace: e2e-get",
                     "spec:", "    image: nginx:1.27", "  nodeName: e2e-nowhere", "status:", "  phase: Pending"):
            self.expect(want in lines, r, "-o yaml: a line %r" % want)
        self.expect(lines[0] == "apiVersion: v1", r, "-o yaml starts with apiVersion")
        r = self.ok("get", "cm", "cm-appvars", "-o", "yaml")
        for want in ("data:", "  appdatadir: /var/data", "  apploglevel: info", "kind: ConfigMap"):
            self.expect(want in r.out.splitlines(), r, "-o yaml: a line %r" % want)
        r = self.ok("get", "pods", "-o", "yaml")
        lines = r.out.splitlines()
        for want in ("apiVersion: v1", "items:", "- apiVersion: v1", "  kind: Pod", "kind: List",
                     "metadata:", '  resourceVersion: ""'):
            self.expect(want in lines, r, "list -o yaml: a line %r" % want)

    def test_10_jsonpath_and_custom_columns(self):
        r = self.ok("get", "pods", "-o", "jsonpath={.items[*].metadata.name}")
        self.assertEqual(r.out, "db-1 web-1 web-2", r.describe())
        r = self.ok("get", "pod", "web-1", "-o", "jsonpath={.spec.containers[0].image}")
        self.assertEqual(r.out, "nginx:1.27", r.describe())
        r = self.ok("get", "pods", "-o",
                    'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels.app}{"\\n"}{end}')
        self.assertEqual(r.out, "db-1\tdb\nweb-1\tweb\nweb-2\tweb\n", r.describe())
        r = self.ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[?(@.metadata.labels.tier)].metadata.name}")
        self.assertEqual(r.out, "web-1", r.describe())
        r = self.ok("get", "svc", "mysql", "-o", "jsonpath={.spec.ports[0].port}/{.spec.ports[0].protocol}")
        self.assertEqual(r.out, "3306/TCP", r.describe())
        r = self.ok("get", "secret", "mysecret", "-o", "jsonpath={.data.username}")
        self.assertEqual(r.out, "ZmRzYWZkc2E=", r.describe())
        r = self.ok("get", "pods", "-o", "custom-columns=NAME:.metadata.name,APP:.metadata.labels.app,"
                                          "IMAGE:.spec.containers[0].image")
        rows = self.table(r, ["NAME", "APP", "IMAGE"])
        self.assertEqual([(x["NAME"], x["APP"], x["IMAGE"]) for x in rows],
                         [("db-1", "db", "redis:7.2"), ("web-1", "web", "nginx:1.27"),
                          ("web-2", "web", "busybox:1.36")], r.describe())

    def test_11_get_errors(self):
        self.fails("get", "pod", "nope", err='Error from server (NotFound): pods "nope" not found')
        self.fails("get", "deploy", "nope",
                   err='Error from server (NotFound): deployments.apps "nope" not found')
        self.fails("get", "ns", "nope", ns="", err='Error from server (NotFound): namespaces "nope" not found')
        r = self.k("get", "pods", "web-1", "nope")
        self.expect(r.rc == 1 and 'Error from server (NotFound): pods "nope" not found' in r.err_lines and
                    [x["NAME"] for x in self.table(r)] == ["web-1"], r,
                    "found objects are printed, the missing one is an error, exit code 1")
        self.fails("get", "nosuchthing",
                   err='error: the server doesn\'t have a resource type "nosuchthing"')
        r = self.ok("get", "pods", ns="e2e-nons")
        self.expect(r.out == "" and r.err_lines == ["No resources found in e2e-nons namespace."], r,
                    "listing a namespace that does not exist is an empty list")
        r = self.ok("get", "pod", "nope", "--ignore-not-found")
        self.expect(r.out == "" and r.err == "", r, "--ignore-not-found prints nothing")

    def test_12_watch_table(self):
        bg = self.kubectl.start("get", "configmaps", "-w", ns="e2e-watch")
        seed = bg.wait_for_line(lambda l: l.split()[:1] == ["seed"])
        self.expect(seed is not None, None, "get -w prints the existing object first" + bg.describe())
        self.expect(bg.out_lines and columns_of(bg.out_lines[0]) == ["NAME", "DATA", "AGE"], None,
                    "get -w starts with the table header" + bg.describe())
        n = len(bg.out_lines)
        time.sleep(0.5)  # the watch request goes out after the list is printed
        self.make(ns_path("e2e-watch", "configmaps"), configmap("watched", {"a": "1", "b": "2"}))
        line = bg.wait_for_line(lambda l: l.split()[:1] == ["watched"], start=n)
        self.expect(line is not None, None, "get -w prints a line for a configmap created after it "
                                            "started" + bg.describe())
        cells = columns_of(line)
        self.expect(len(cells) == 3 and cells[1] == "2" and re.match(AGE_RE, cells[2]), None,
                    "watched row: NAME DATA AGE, got %r%s" % (line, bg.describe()))
        n = len(bg.out_lines)
        r = self.http.patch(ns_path("e2e-watch", "configmaps", "watched"), {"data": {"c": "3"}})
        self.http.expect(r, 200, "merge patch")
        line = bg.wait_for_line(lambda l: l.split()[:1] == ["watched"], start=n)
        self.expect(line is not None and columns_of(line)[1] == "3", None,
                    "get -w prints the changed row (DATA 3)" + bg.describe())
        self.expect(bg.proc.poll() is None, None, "get -w keeps running" + bg.describe())
        bg.stop()
        self.expect(not [l for l in bg.err_lines if l.strip()], None, "nothing on stderr" + bg.describe())

    def test_13_watch_events_with_selector(self):
        bg = self.kubectl.start("get", "cm", "-w", "--output-watch-events", "-l", "watch=yes", ns="e2e-watch2")
        seed = bg.wait_for_line(lambda l: columns_of(l)[:2] == ["ADDED", "seed-w"])
        self.expect(seed is not None, None, "the existing object is printed as ADDED" + bg.describe())
        self.expect(columns_of(bg.out_lines[0]) == ["EVENT", "NAME", "DATA", "AGE"], None,
                    "header EVENT NAME DATA AGE" + bg.describe())
        time.sleep(0.5)
        n = len(bg.out_lines)
        path = ns_path("e2e-watch2", "configmaps")
        self.make(path, configmap("nomatch", {"a": "1"}))
        self.make(path, configmap("match", {"a": "1"}, {"watch": "yes"}))
        for event, change in (("ADDED", None),
                              ("MODIFIED", lambda: self.http.expect(self.http.patch(
                                  path + "/match", {"metadata": {"annotations": {"x": "y"}}}), 200)),
                              ("DELETED", lambda: self.http.expect(self.http.delete(path + "/match"), 200))):
            if change:
                change()
            line = bg.wait_for_line(lambda l: columns_of(l)[:2] == [event, "match"], start=n)
            self.expect(line is not None, None, "a %s match line" % event + bg.describe())
            n = bg.out_lines.index(line) + 1
        self.expect(not any("nomatch" in l for l in bg.out_lines), None,
                    "-l watch=yes: nomatch is never printed" + bg.describe())
        bg.stop()

    def test_14_watch_name(self):
        bg = self.kubectl.start("get", "pods", "-w", "-o", "name", ns="e2e-get2")
        self.expect(bg.wait_for_line(lambda l: l == "pod/other") is not None, None,
                    "-w -o name prints pod/other" + bg.describe())
        time.sleep(0.5)
        n = len(bg.out_lines)
        self.make(ns_path("e2e-get2", "pods"), pod("late", {"app": "late"}))
        self.expect(bg.wait_for_line(lambda l: l == "pod/late", start=n) is not None, None,
                    "-w -o name prints pod/late once it is created" + bg.describe())
        bg.stop()


# ============================================================================================
# create -f / apply -f / replace -f / delete -f with the notes' manifests; unknown fields
# ============================================================================================

class ManifestTest(KubectlCase):
    LABEL = "manifests"
    NS = "e2e-create"
    NAMESPACES = ("e2e-create", "e2e-apply", "e2e-apply2", "e2e-replace", "e2e-strict")

    def test_01_create_f_every_served_example(self):
        for f, _ in SERVED_EXAMPLES:
            self.copy_example(f, "served/" + f)
        r = self.ok("create", "-f", "served/")
        expected = [obj for _, objs in SERVED_EXAMPLES for obj in objs]
        self.out_is(r, [o + " created" for o in expected])
        r = self.ok("get", "-f", "served/", "-o", "name")
        self.out_is(r, expected)
        cm = self.get_json("configmap/cm-appvars")
        self.assertEqual(cm.get("data"), {"apploglevel": "info", "appdatadir": "/var/data"})
        dep = self.get_json("deployment/nginx-deployment")
        self.assertEqual(dep["spec"].get("replicas"), 2)
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.14.2")

        # The same file again: AlreadyExists, named by file.
        self.fails("create", "-f", "served/cm-appvars.yaml",
                   err='Error from server (AlreadyExists): error when creating "served/cm-appvars.yaml": '
                       'configmaps "cm-appvars" already exists')
        r = self.k("create", "-f", "served/external-service-endpoints.yaml")
        self.expect(r.rc == 1 and r.err_lines == [
            'Error from server (AlreadyExists): error when creating "served/external-service-endpoints.yaml": '
            'services "my-service" already exists',
            'Error from server (AlreadyExists): error when creating "served/external-service-endpoints.yaml": '
            'endpoints "my-service" already exists'], r, "one AlreadyExists line per object")
        self.fails("create", "-f", "served/nginx-deployment.yaml",
                   err='Error from server (AlreadyExists): error when creating "served/nginx-deployment.yaml": '
                       'deployments.apps "nginx-deployment" already exists')
        # Into a namespace that does not exist.
        self.fails("create", "-f", "served/cm-appvars.yaml", ns="e2e-nons",
                   err='Error from server (NotFound): error when creating "served/cm-appvars.yaml": '
                       'namespaces "e2e-nons" not found')

    def test_02_create_f_namespace_and_stdin(self):
        self.copy_example("namespace-development.yaml")
        self.out_is(self.ok("create", "-f", "namespace-development.yaml", ns=""), ["namespace/development created"])
        r = self.ok("get", "ns", "development", "-o", "jsonpath={.status.phase}", ns="")
        self.assertEqual(r.out, "Active", r.describe())
        self.fails("create", "-f", "namespace-development.yaml", ns="",
                   err='Error from server (AlreadyExists): error when creating "namespace-development.yaml": '
                       'namespaces "development" already exists')
        with open(os.path.join(EXAMPLES, "cm-appvars.yaml"), encoding="utf-8") as f:
            text = f.read()
        self.out_is(self.ok("create", "-f", "-", ns="development", stdin=text), ["configmap/cm-appvars created"])
        self.fails("create", "-f", "-", ns="development", stdin=text,
                   err='Error from server (AlreadyExists): error when creating "STDIN": '
                       'configmaps "cm-appvars" already exists')

    def test_03_apply_twice_unchanged_then_configured(self):
        ns = "e2e-apply"
        for f in ("cm-appvars.yaml", "nginx-deployment.yaml", "external-service-endpoints.yaml",
                  "mysql-rc.yaml"):
            self.copy_example(f)
        self.out_is(self.ok("apply", "-f", "cm-appvars.yaml", ns=ns), ["configmap/cm-appvars created"])
        self.out_is(self.ok("apply", "-f", "cm-appvars.yaml", ns=ns), ["configmap/cm-appvars unchanged"])
        cm = self.get_json("configmap/cm-appvars", ns=ns)
        la = (cm["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/last-applied-configuration")
        self.assertIsNotNone(la, "apply stores last-applied-configuration: %r" % cm["metadata"])
        self.assertEqual(json.loads(la).get("data"), {"apploglevel": "info", "appdatadir": "/var/data"})

        self.out_is(self.ok("apply", "-f", "nginx-deployment.yaml", ns=ns),
                    ["deployment.apps/nginx-deployment created"])
        self.out_is(self.ok("apply", "-f", "nginx-deployment.yaml", ns=ns),
                    ["deployment.apps/nginx-deployment unchanged"])
        self.out_is(self.ok("apply", "-f", "external-service-endpoints.yaml", ns=ns),
                    ["service/my-service created", "endpoints/my-service created"])
        # Endpoints.subsets is an atomic list and the server defaults each port's protocol (TCP),
        # so the live list never equals the manifest's: kubectl's three-way diff sends it again
        # and reports `configured` every time, against Kubernetes too. The Service's ports merge
        # by port number, so it is `unchanged`.
        self.out_is(self.ok("apply", "-f", "external-service-endpoints.yaml", ns=ns),
                    ["service/my-service unchanged", "endpoints/my-service configured"])
        self.out_is(self.ok("apply", "-f", "mysql-rc.yaml", ns=ns), ["replicationcontroller/mysql created"])
        self.out_is(self.ok("apply", "-f", "mysql-rc.yaml", ns=ns), ["replicationcontroller/mysql unchanged"])

        # Edit the manifests: a changed value and a removed key (ConfigMap), replicas and the
        # container image (Deployment: a strategic merge patch keyed by container name).
        text = self.read_work("cm-appvars.yaml")
        text = text.replace("apploglevel: info", "apploglevel: debug").replace("  appdatadir: /var/data\n", "")
        self.write("cm-appvars.yaml", text)
        self.out_is(self.ok("apply", "-f", "cm-appvars.yaml", ns=ns), ["configmap/cm-appvars configured"])
        self.assertEqual(self.get_json("configmap/cm-appvars", ns=ns).get("data"), {"apploglevel": "debug"},
                         "apply removes the key dropped from the manifest")
        self.out_is(self.ok("apply", "-f", "cm-appvars.yaml", ns=ns), ["configmap/cm-appvars unchanged"])

        text = self.read_work("nginx-deployment.yaml")
        text = text.replace("replicas: 2", "replicas: 3").replace("nginx:1.14.2", "nginx:1.16.1")
        self.write("nginx-deployment.yaml", text)
        self.out_is(self.ok("apply", "-f", "nginx-deployment.yaml", ns=ns),
                    ["deployment.apps/nginx-deployment configured"])
        dep = self.get_json("deployment/nginx-deployment", ns=ns)
        self.assertEqual(dep["spec"].get("replicas"), 3)
        containers = dep["spec"]["template"]["spec"]["containers"]
        self.assertEqual([(c.get("name"), c.get("image")) for c in containers], [("nginx", "nginx:1.16.1")])
        self.assertEqual(containers[0].get("ports"), [{"containerPort": 80, "protocol": "TCP"}],
                         "the container keeps its (defaulted) port")
        self.assertEqual(dep["metadata"].get("generation"), 2, "spec changed once: generation 2")
        self.assertNotIn("$setElementOrder/containers", json.dumps(dep), "patch directives are not stored")
        self.out_is(self.ok("apply", "-f", "nginx-deployment.yaml", ns=ns),
                    ["deployment.apps/nginx-deployment unchanged"])

        # An env value inside the RC's pod template (env merges by name).
        text = self.read_work("mysql-rc.yaml")
        self.assertIn('value: "123456"', text)
        self.write("mysql-rc.yaml", text.replace('value: "123456"', 'value: "654321"'))
        self.out_is(self.ok("apply", "-f", "mysql-rc.yaml", ns=ns), ["replicationcontroller/mysql configured"])
        rc = self.get_json("rc/mysql", ns=ns)
        self.assertEqual(rc["spec"]["template"]["spec"]["containers"][0].get("env"),
                         [{"name": "MYSQL_ROOT_PASSWORD", "value": "654321"}])

    def test_04_apply_on_created_object_and_directory(self):
        ns = "e2e-apply2"
        self.copy_example("mysql-svc.yaml", "dir/mysql-svc.yaml")
        self.copy_example("secret.yaml", "dir/secret.yaml")
        self.copy_example("nginx-headless-svc.yaml", "dir/nginx-headless-svc.yaml")
        self.out_is(self.ok("create", "-f", "dir/mysql-svc.yaml", ns=ns), ["service/mysql created"])
        r = self.ok("apply", "-f", "dir/mysql-svc.yaml", ns=ns)
        self.out_is(r, ["service/mysql configured"])
        self.expect(any(l.startswith("Warning: resource services/mysql is missing the "
                                     "kubectl.kubernetes.io/last-applied-configuration annotation which is "
                                     "required by kubectl apply.") for l in r.err_lines), r,
                    "apply warns about the missing last-applied-configuration annotation")
        self.out_is(self.ok("apply", "-f", "dir/mysql-svc.yaml", ns=ns), ["service/mysql unchanged"])
        svc = self.get_json("svc/mysql", ns=ns)
        self.assertRegex((svc.get("spec") or {}).get("clusterIP", ""), IP_RE, "the cluster IP survives apply")
        r = self.ok("apply", "-f", "dir/", ns=ns)
        self.out_is(r, ["service/mysql unchanged", "service/nginx created", "secret/mysecret created"])
        r = self.ok("apply", "-f", "dir/", ns=ns)
        self.out_is(r, ["service/mysql unchanged", "service/nginx unchanged", "secret/mysecret unchanged"])

    def test_05_unknown_field_rejected(self):
        ns = "e2e-strict"
        self.write("bad-pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad-pod\nspec:\n  foo: bar\n"
                                   "  containers:\n  - name: main\n    image: busybox:1.36\n")
        self.fails("create", "-f", "bad-pod.yaml", ns=ns,
                   err='Error from server (BadRequest): error when creating "bad-pod.yaml": Pod in version "v1" '
                       'cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"')
        self.fails("apply", "-f", "bad-pod.yaml", ns=ns,
                   err='Error from server (BadRequest): error when creating "bad-pod.yaml": Pod in version "v1" '
                       'cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"')
        self.fails("get", "pod", "bad-pod", ns=ns, err='Error from server (NotFound): pods "bad-pod" not found')
        self.write("bad-deploy.yaml",
                   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad-deploy\nspec:\n"
                   "  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels:\n"
                   "        app: x\n    spec:\n      containers:\n      - name: main\n        image: nginx\n"
                   "        foo: 1\n")
        self.fails("create", "-f", "bad-deploy.yaml", ns=ns,
                   err='Error from server (BadRequest): error when creating "bad-deploy.yaml": Deployment in '
                       'version "v1" cannot be handled as a Deployment: strict decoding error: unknown field '
                       '"spec.template.spec.containers[0].foo"')
        self.write("bad-cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-cm\ndata:\n  a: b\n"
                                  "extra: 1\n")
        self.fails("create", "-f", "bad-cm.yaml", ns=ns,
                   err='Error from server (BadRequest): error when creating "bad-cm.yaml": ConfigMap in version '
                       '"v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"')
        # --validate=false: kubectl sends fieldValidation=Ignore and the field is dropped.
        self.out_is(self.ok("create", "-f", "bad-pod.yaml", "--validate=false", ns=ns), ["pod/bad-pod created"])
        p = self.get_json("pod/bad-pod", ns=ns)
        self.assertNotIn("foo", p.get("spec", {}), "an ignored unknown field is not stored")
        # --validate=warn: created, with the server's warning printed by kubectl.
        self.write("warn-pod.yaml", self.read_work("bad-pod.yaml").replace("bad-pod", "warn-pod"))
        r = self.ok("create", "-f", "warn-pod.yaml", "--validate=warn", ns=ns)
        self.out_is(r, ["pod/warn-pod created"])
        self.expect('Warning: unknown field "spec.foo"' in r.err_lines, r,
                    'the server warns: Warning: unknown field "spec.foo"')

    def test_05b_field_of_a_later_kubernetes_rejected(self):
        # Container.restartPolicyRules arrived in Kubernetes 1.34: 1.32 does not know it.
        ns = "e2e-strict"
        self.write("later-pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: later-pod\nspec:\n"
                                     "  containers:\n  - name: main\n    image: busybox:1.36\n"
                                     "    restartPolicyRules:\n    - action: Restart\n"
                                     "      exitCodes:\n        operator: In\n        values: [42]\n")
        self.fails("create", "-f", "later-pod.yaml", ns=ns,
                   err='Error from server (BadRequest): error when creating "later-pod.yaml": Pod in version "v1" '
                       'cannot be handled as a Pod: strict decoding error: unknown field '
                       '"spec.containers[0].restartPolicyRules"')

    def test_06_invalid_object(self):
        ns = "e2e-strict"
        self.write("noimage.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: noimage\nspec:\n"
                                   "  containers:\n  - name: main\n")
        self.fails("create", "-f", "noimage.yaml", ns=ns,
                   err='The Pod "noimage" is invalid: spec.containers[0].image: Required value')
        self.write("negative.yaml",
                   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: negative\nspec:\n  replicas: -1\n"
                   "  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels:\n"
                   "        app: x\n    spec:\n      containers:\n      - name: main\n        image: nginx\n")
        self.fails("create", "-f", "negative.yaml", ns=ns,
                   err='The Deployment "negative" is invalid: spec.replicas: Invalid value: -1: must be greater '
                       'than or equal to 0')

    def test_07_replace(self):
        ns = "e2e-replace"
        self.make(ns_path(ns, "configmaps"), configmap("rep", {"a": "1"}))
        cur = self.get_json("configmap/rep", ns=ns)
        cur["data"]["a"] = "2"
        self.write("rep.json", json.dumps(cur, indent=2))
        self.out_is(self.ok("replace", "-f", "rep.json", ns=ns), ["configmap/rep replaced"])
        self.assertEqual(self.get_json("configmap/rep", ns=ns).get("data"), {"a": "2"})
        # rep.json still carries the resourceVersion the first replace consumed: stale.
        self.fails("replace", "-f", "rep.json", ns=ns,
                   err='Error from server (Conflict): error when replacing "rep.json": Operation cannot be '
                       'fulfilled on configmaps "rep": the object has been modified; please apply your changes '
                       'to the latest version and try again')
        # Without a resourceVersion the replace is unconditional.
        self.write("rep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rep\ndata:\n  a: \"3\"\n")
        self.out_is(self.ok("replace", "-f", "rep.yaml", ns=ns), ["configmap/rep replaced"])
        self.assertEqual(self.get_json("configmap/rep", ns=ns).get("data"), {"a": "3"})
        self.write("ghost.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ghost\ndata:\n  a: \"1\"\n")
        self.fails("replace", "-f", "ghost.yaml", ns=ns,
                   err='Error from server (NotFound): error when replacing "ghost.yaml": configmaps "ghost" not found')
        # A deployment, from the notes' manifest: replace -f after create -f.
        self.copy_example("nginx-deployment.yaml", "rep-deploy.yaml")
        self.out_is(self.ok("create", "-f", "rep-deploy.yaml", ns=ns), ["deployment.apps/nginx-deployment created"])
        self.write("rep-deploy.yaml", self.read_work("rep-deploy.yaml").replace("nginx:1.14.2", "nginx:1.16.1"))
        self.out_is(self.ok("replace", "-f", "rep-deploy.yaml", ns=ns), ["deployment.apps/nginx-deployment replaced"])
        dep = self.get_json("deployment/nginx-deployment", ns=ns)
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.16.1")

    def test_08_delete_f(self):
        ns = "e2e-replace"
        for f in ("cm-appvars.yaml", "external-service-endpoints.yaml", "secret.yaml", "mysql-rc.yaml",
                  "test-emptypath-pod.yaml"):
            self.copy_example(f, "del/" + f)
        r = self.ok("create", "-f", "del/", ns=ns)
        self.expect(len(r.lines) == 6, r, "six objects created")
        r = self.ok("delete", "-f", "del/", "--timeout=20s", ns=ns)
        self.out_is(r, ['configmap "cm-appvars" deleted', 'service "my-service" deleted',
                        'endpoints "my-service" deleted', 'replicationcontroller "mysql" deleted',
                        'secret "mysecret" deleted', 'pod "test-emptypath" deleted'])
        for path in (ns_path(ns, "configmaps", "cm-appvars"), ns_path(ns, "services", "my-service"),
                     ns_path(ns, "pods", "test-emptypath")):
            self.assertFalse(self.http_exists(path), "%s is gone after delete -f" % path)
        r = self.k("delete", "-f", "del/external-service-endpoints.yaml", ns=ns)
        self.expect(r.rc == 1 and r.err_lines == [
            'Error from server (NotFound): error when deleting "del/external-service-endpoints.yaml": '
            'services "my-service" not found',
            'Error from server (NotFound): error when deleting "del/external-service-endpoints.yaml": '
            'endpoints "my-service" not found'], r, "deleting deleted objects: NotFound per object")
        r = self.ok("delete", "-f", "del/cm-appvars.yaml", "--ignore-not-found", ns=ns)
        self.expect(r.out == "" and r.err == "", r, "--ignore-not-found prints nothing")


# ============================================================================================
# label, annotate, patch (strategic, merge, json)
# ============================================================================================

class MutateTest(KubectlCase):
    LABEL = "mutate"
    NS = "e2e-mut"
    NAMESPACES = ("e2e-mut",)

    @classmethod
    def set_up_objects(cls):
        cls.make(ns_path(cls.NS, "pods"), pod("x", {"app": "x"}))
        cls.make(ns_path(cls.NS, "pods"), pod("y", {"app": "y"}))
        cls.make(ns_path(cls.NS, "deployments", group="/apis/apps/v1"), deployment("web", [
            {"name": "app", "image": "nginx:1.26", "ports": [{"containerPort": 80}]},
            {"name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "3600"]}]))
        cls.make(ns_path(cls.NS, "deployments", group="/apis/apps/v1"), deployment("merge", [
            {"name": "app", "image": "nginx:1.26"}, {"name": "sidecar", "image": "busybox:1.36"}]))

    def labels(self, what):
        return self.get_json(what)["metadata"].get("labels") or {}

    def annotations(self, what):
        return self.get_json(what)["metadata"].get("annotations") or {}

    def test_01_label(self):
        self.out_is(self.ok("label", "pod", "x", "env=prod"), ["pod/x labeled"])
        self.assertEqual(self.labels("pod/x"), {"app": "x", "env": "prod"})
        self.fails("label", "pod", "x", "env=dev", err="error: 'env' already has a value (prod), and --overwrite is false")
        self.assertEqual(self.labels("pod/x").get("env"), "prod", "a refused label leaves the object alone")
        self.out_is(self.ok("label", "pod", "x", "env=dev", "--overwrite"), ["pod/x labeled"])
        self.assertEqual(self.labels("pod/x").get("env"), "dev")
        self.out_is(self.ok("label", "pod", "x", "env-"), ["pod/x unlabeled"])
        self.assertEqual(self.labels("pod/x"), {"app": "x"})
        self.out_is(self.ok("label", "pod", "x", "env-"), ['label "env" not found.', "pod/x not labeled"])
        # Several objects by selector; a cluster-scoped one.
        self.out_is(self.ok("label", "pods", "-l", "app in (x,y)", "team=blue"), ["pod/x labeled", "pod/y labeled"])
        r = self.ok("get", "pods", "-l", "team=blue", "-o", "name")
        self.out_is(r, ["pod/x", "pod/y"])
        self.out_is(self.ok("label", "ns", self.NS, "e2e=yes", ns=""), ["namespace/%s labeled" % self.NS])
        self.fails("label", "pod", "nope", "a=b", err='Error from server (NotFound): pods "nope" not found')

    def test_02_annotate(self):
        self.out_is(self.ok("annotate", "pod", "y", "note=hello"), ["pod/y annotated"])
        self.assertEqual(self.annotations("pod/y").get("note"), "hello")
        self.fails("annotate", "pod", "y", "note=bye",
                   err="error: --overwrite is false but found the following declared annotation(s): "
                       "'note' already has a value (hello)")
        self.out_is(self.ok("annotate", "pod", "y", "note=bye", "--overwrite"), ["pod/y annotated"])
        self.assertEqual(self.annotations("pod/y").get("note"), "bye")
        self.out_is(self.ok("annotate", "pod", "y", "note-"), ["pod/y annotated"])
        self.assertNotIn("note", self.annotations("pod/y"))
        self.out_is(self.ok("annotate", "deploy", "web", "kubernetes.io/change-cause=e2e"),
                    ["deployment.apps/web annotated"])
        self.assertEqual(self.annotations("deploy/web").get("kubernetes.io/change-cause"), "e2e")
        self.fails("annotate", "pod", "nope", "a=b", err='Error from server (NotFound): pods "nope" not found')

    def containers(self, name):
        return [(c["name"], c["image"]) for c in
                self.get_json("deploy/" + name)["spec"]["template"]["spec"]["containers"]]

    def test_03_patch_strategic(self):
        # The default type: containers merge by name, the other container stays.
        r = self.ok("patch", "deploy", "web", "-p",
                    '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}')
        self.out_is(r, ["deployment.apps/web patched"])
        self.assertEqual(self.containers("web"), [("app", "nginx:1.27"), ("sidecar", "busybox:1.36")])
        r = self.ok("patch", "deploy", "web", "--type=strategic", "-p",
                    '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}')
        self.out_is(r, ["deployment.apps/web patched"])
        self.assertEqual(self.containers("web"), [("app", "nginx:1.27")])
        # null deletes a key.
        self.ok("patch", "deploy", "web", "-p", '{"metadata":{"labels":{"extra":"1"}}}')
        self.out_is(self.ok("patch", "deploy", "web", "-p", '{"metadata":{"labels":{"extra":null}}}'),
                    ["deployment.apps/web patched"])
        self.assertEqual(self.labels("deploy/web"), {"app": "web"})
        self.out_is(self.ok("patch", "pod", "x", "-p", '{"metadata":{"labels":{"patched":"yes"}}}'), ["pod/x patched"])
        self.assertEqual(self.labels("pod/x").get("patched"), "yes")
        # Nothing to change.
        self.out_is(self.ok("patch", "deploy", "web", "-p", '{"spec":{"replicas":1}}'),
                    ["deployment.apps/web patched (no change)"])

    def test_04_patch_merge(self):
        r = self.ok("patch", "deploy", "merge", "--type=merge", "-p", '{"spec":{"replicas":3}}')
        self.out_is(r, ["deployment.apps/merge patched"])
        self.assertEqual(self.get_json("deploy/merge")["spec"]["replicas"], 3)
        # A JSON merge patch replaces lists whole.
        self.ok("patch", "deploy", "merge", "--type=merge", "-p",
                '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}')
        self.assertEqual(self.containers("merge"), [("app", "nginx:1.28")])
        self.out_is(self.ok("patch", "deploy", "merge", "--type=merge", "-p", '{"spec":{"replicas":3}}'),
                    ["deployment.apps/merge patched (no change)"])
        self.fails("patch", "deploy", "merge", "--type=merge", "-p", '{"spec":{"replicas":-1}}',
                   err='The Deployment "merge" is invalid: spec.replicas: Invalid value: -1: must be greater '
                       'than or equal to 0')
        self.assertEqual(self.get_json("deploy/merge")["spec"]["replicas"], 3, "a rejected patch changes nothing")

    def test_05_patch_json(self):
        r = self.ok("patch", "deploy", "merge", "--type=json", "-p",
                    '[{"op":"replace","path":"/spec/replicas","value":5},'
                    '{"op":"add","path":"/metadata/labels/jp","value":"1"}]')
        self.out_is(r, ["deployment.apps/merge patched"])
        d = self.get_json("deploy/merge")
        self.assertEqual(d["spec"]["replicas"], 5)
        self.assertEqual(d["metadata"]["labels"].get("jp"), "1")
        self.out_is(self.ok("patch", "deploy", "merge", "--type=json", "-p",
                            '[{"op":"remove","path":"/metadata/labels/jp"}]'), ["deployment.apps/merge patched"])
        self.assertNotIn("jp", self.labels("deploy/merge"))
        self.out_is(self.ok("patch", "pod", "y", "--type=json", "-p",
                            '[{"op":"replace","path":"/spec/containers/0/image","value":"busybox:1.37"}]'),
                    ["pod/y patched"])
        self.assertEqual(self.get_json("pod/y")["spec"]["containers"][0]["image"], "busybox:1.37")

    def test_06_patch_errors(self):
        self.fails("patch", "deploy", "nope", "-p", '{"spec":{"replicas":1}}',
                   err='Error from server (NotFound): deployments.apps "nope" not found')
        self.fails("patch", "pod", "nope", "--type=merge", "-p", '{"metadata":{"labels":{"a":"b"}}}',
                   err='Error from server (NotFound): pods "nope" not found')


# ============================================================================================
# delete --wait, describe with events
# ============================================================================================

class DeleteDescribeTest(KubectlCase):
    LABEL = "delete-describe"
    NS = "e2e-del"
    NAMESPACES = ("e2e-del", "e2e-desc")
    FINALIZER = "e2e.kactor.io/hold"

    def release(self, name):
        r = self.http.patch(ns_path(self.NS, "configmaps", name), {"metadata": {"finalizers": None}})
        if r.status not in (200, 404):
            self.fail("removing the finalizer of %s: %s" % (name, r.describe()))

    def test_01_delete_waits_until_gone(self):
        self.make(ns_path(self.NS, "configmaps"), configmap("held", {"a": "1"}, finalizers=[self.FINALIZER]))
        self.addCleanup(self.release, "held")
        bg = self.kubectl.start("delete", "configmap", "held", "--timeout=60s", ns=self.NS)
        time.sleep(2.5)
        self.expect(bg.proc.poll() is None, None,
                    "delete (--wait is the default) must not return while a finalizer holds the object" +
                    bg.describe())
        obj = self.http.expect(self.http.get(ns_path(self.NS, "configmaps", "held")), 200, "get held")
        self.assertIsNotNone(obj["metadata"].get("deletionTimestamp"), "deletionTimestamp set: %r" % obj)
        t_release = time.monotonic()
        self.release("held")
        rc = bg.wait_exit(WAIT)
        self.expect(rc == 0, None, "delete returns 0 once the object is gone" + bg.describe())
        self.expect(bg.out_lines == ['configmap "held" deleted'], None, 'prints configmap "held" deleted' +
                    bg.describe())
        self.assertLess(time.monotonic() - t_release, 10, "delete returned promptly after the release")
        self.assertFalse(self.http_exists(ns_path(self.NS, "configmaps", "held")), "held is gone")

    def test_02_delete_wait_false_and_timeout(self):
        self.make(ns_path(self.NS, "configmaps"), configmap("held2", {"a": "1"}, finalizers=[self.FINALIZER]))
        self.addCleanup(self.release, "held2")
        r = self.ok("delete", "cm", "held2", "--wait=false")
        self.out_is(r, ['configmap "held2" deleted'])
        self.expect(r.seconds < 10, r, "--wait=false returns at once")
        self.assertTrue(self.http_exists(ns_path(self.NS, "configmaps", "held2")), "still held by its finalizer")
        r = self.fails("delete", "cm", "held2", "--timeout=2s",
                       err="error: timed out waiting for the condition on configmaps/held2")
        self.out_is(r, ['configmap "held2" deleted'])
        self.release("held2")

    def test_03_delete_immediate_and_errors(self):
        self.make(ns_path(self.NS, "configmaps"), configmap("plain", {"a": "1"}))
        self.make(ns_path(self.NS, "pods"), pod("unscheduled", node=None))
        self.out_is(self.ok("delete", "cm", "plain", "--timeout=20s"), ['configmap "plain" deleted'])
        self.assertFalse(self.http_exists(ns_path(self.NS, "configmaps", "plain")))
        # A pod no node ever took is deleted at once (no graceful termination to wait for).
        r = self.ok("delete", "pod", "unscheduled", "--timeout=20s")
        self.out_is(r, ['pod "unscheduled" deleted'])
        self.expect(r.seconds < 10, r, "an unscheduled pod goes at once")
        self.assertFalse(self.http_exists(ns_path(self.NS, "pods", "unscheduled")))
        self.fails("delete", "pod", "nope", err='Error from server (NotFound): pods "nope" not found')
        self.fails("delete", "deploy", "nope", err='Error from server (NotFound): deployments.apps "nope" not found')
        self.fails("delete", "ns", "e2e-nope", ns="", err='Error from server (NotFound): namespaces "e2e-nope" not found')
        r = self.ok("delete", "pod", "nope", "--ignore-not-found")
        self.expect(r.out == "" and r.err == "", r, "--ignore-not-found prints nothing")
        self.make(ns_path(self.NS, "configmaps"), configmap("sel-1", labels={"del": "me"}))
        self.make(ns_path(self.NS, "configmaps"), configmap("sel-2", labels={"del": "me"}))
        self.out_is(self.ok("delete", "cm", "-l", "del=me", "--timeout=20s"),
                    ['configmap "sel-1" deleted', 'configmap "sel-2" deleted'])
        r = self.ok("delete", "cm", "-l", "del=me")
        self.out_is(r, ["No resources found"], "nothing left to delete")

    def test_04_describe_pod_with_events(self):
        ns = "e2e-desc"
        p = self.make(ns_path(ns, "pods"), pod("described", {"app": "described"}, node=None))
        self.make(ns_path(ns, "pods"), pod("quiet", {"app": "quiet"}, node=None))
        uid = p["metadata"]["uid"]
        events = []
        for i, (typ, reason, msg, ago) in enumerate((("Normal", "E2EScheduled", "first event from the e2e suite", 20),
                                                     ("Warning", "E2EBackOff", "second event from the e2e suite", 10))):
            events.append("\n".join([
                "apiVersion: v1", "kind: Event", "metadata:", "  name: described.e2e-%d" % (i + 1),
                "involvedObject:", "  apiVersion: v1", "  kind: Pod", "  name: described",
                "  namespace: %s" % ns, "  uid: %s" % uid, "reason: %s" % reason, "message: %s" % msg,
                "type: %s" % typ, "source:", "  component: e2e-suite", "count: 1",
                "firstTimestamp: \"%s\"" % rfc3339(ago), "lastTimestamp: \"%s\"" % rfc3339(ago)]) + "\n")
        self.write("events.yaml", "---\n".join(events))
        self.out_is(self.ok("create", "-f", "events.yaml", ns=ns),
                    ["event/described.e2e-1 created", "event/described.e2e-2 created"])

        r = self.ok("describe", "pod", "described", ns=ns)
        lines = r.out.splitlines()
        for pat in (r"^Name:\s+described$", r"^Namespace:\s+e2e-desc$", r"^Node:\s+<none>$",
                    r"^Labels:\s+app=described$", r"^Status:\s+Pending$", r"^Containers:$", r"^  main:$",
                    r"^    Image:\s+busybox:1\.36$", r"^Events:$"):
            self.expect(any(re.match(pat, l) for l in lines), r, "describe pod: a line matching %r" % pat)
        ev_lines = lines[lines.index("Events:") + 1:] if "Events:" in lines else []
        names, rows = parse_table("\n".join(l[2:] for l in ev_lines if l.startswith("  ")))
        self.expect(names == ["Type", "Reason", "Age", "From", "Message"], r,
                    "Events table columns Type Reason Age From Message")
        rows = [x for x in rows if not x.get("Type", "").startswith("----")]
        got = [(x.get("Type"), x.get("Reason"), x.get("From"), x.get("Message")) for x in rows]
        self.expect(got == [("Normal", "E2EScheduled", "e2e-suite", "first event from the e2e suite"),
                            ("Warning", "E2EBackOff", "e2e-suite", "second event from the e2e suite")], r,
                    "the two events, oldest first")
        for x in rows:
            self.expect(re.match(AGE_RE, x.get("Age", "")), r, "event Age %r" % x.get("Age"))

        r = self.ok("describe", "pod", "quiet", ns=ns)
        self.expect(any(re.match(r"^Events:\s+<none>$", l) for l in r.out.splitlines()), r,
                    "a pod without events: Events:  <none>")
        r = self.ok("get", "events", ns=ns)
        rows = self.table(r, ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        self.assertEqual(sorted((x["TYPE"], x["REASON"], x["OBJECT"], x["MESSAGE"]) for x in rows),
                         [("Normal", "E2EScheduled", "pod/described", "first event from the e2e suite"),
                          ("Warning", "E2EBackOff", "pod/described", "second event from the e2e suite")],
                         r.describe())
        r = self.ok("get", "events", "--field-selector", "type=Warning", "-o", "name", ns=ns)
        self.out_is(r, ["event/described.e2e-2"])
        self.fails("describe", "pod", "nope", ns=ns, err='Error from server (NotFound): pods "nope" not found')

    def test_05_describe_other_kinds(self):
        ns = "e2e-desc"
        self.copy_example("cm-appvars.yaml")
        self.copy_example("nginx-deployment.yaml")
        self.copy_example("mysql-svc.yaml")
        for f in ("cm-appvars.yaml", "nginx-deployment.yaml", "mysql-svc.yaml"):
            self.ok("create", "-f", f, ns=ns)
        r = self.ok("describe", "configmap", "cm-appvars", ns=ns)
        lines = r.out.splitlines()
        for pat in (r"^Name:\s+cm-appvars$", r"^Namespace:\s+e2e-desc$", r"^Data$", r"^apploglevel:$",
                    r"^info$", r"^appdatadir:$", r"^/var/data$", r"^Events:\s+<none>$"):
            self.expect(any(re.match(pat, l) for l in lines), r, "describe configmap: a line %r" % pat)
        r = self.ok("describe", "deployment", "nginx-deployment", ns=ns)
        lines = r.out.splitlines()
        for pat in (r"^Name:\s+nginx-deployment$", r"^Selector:\s+app=nginx$", r"^StrategyType:\s+RollingUpdate$",
                    r"^\s+nginx:$", r"^\s+Image:\s+nginx:1\.14\.2$", r"^\s+Port:\s+80/TCP$"):
            self.expect(any(re.match(pat, l) for l in lines), r, "describe deployment: a line %r" % pat)
        r = self.ok("describe", "svc", "mysql", ns=ns)
        lines = r.out.splitlines()
        for pat in (r"^Name:\s+mysql$", r"^Selector:\s+app=mysql$", r"^Type:\s+ClusterIP$",
                    r"^IP:\s+\d+\.\d+\.\d+\.\d+$", r"^Port:\s+<unset>\s+3306/TCP$",
                    r"^TargetPort:\s+3306/TCP$"):
            self.expect(any(re.match(pat, l) for l in lines), r, "describe service: a line %r" % pat)


class SubresourceTest(KubectlCase):
    """scale, pods/binding, pods/eviction, server-side apply and server dry runs."""
    LABEL = "subresource"
    NS = "e2e-sub"
    NAMESPACES = ("e2e-sub",)

    @classmethod
    def set_up_objects(cls):
        cls.make(ns_path(cls.NS, "deployments", group="/apis/apps/v1"),
                 deployment("web", [{"name": "app", "image": "nginx:1.26"}], replicas=2))
        cls.make(ns_path(cls.NS, "pods"), pod("unbound", node=None))
        cls.make(ns_path(cls.NS, "pods"), pod("doomed", node=None))

    def replicas(self, what):
        return self.get_json(what)["spec"].get("replicas")

    def test_01_scale(self):
        self.out_is(self.ok("scale", "deployment", "web", "--replicas=5"), ["deployment.apps/web scaled"])
        self.assertEqual(self.replicas("deployment/web"), 5)
        r = self.ok("get", "--raw", "/apis/apps/v1/namespaces/%s/deployments/web/scale" % self.NS, ns="")
        scale = json.loads(r.out)
        self.assertEqual((scale["kind"], scale["apiVersion"]), ("Scale", "autoscaling/v1"))
        self.assertEqual(scale["spec"], {"replicas": 5})
        self.assertEqual(scale["status"], {"replicas": 0, "selector": "app=web"})
        # --current-replicas is a precondition kubectl checks against the scale subresource.
        self.fails("scale", "deployment", "web", "--current-replicas=3", "--replicas=1",
                   err_re=r"^error: Expected replicas to be 3, was 5$")
        self.assertEqual(self.replicas("deployment/web"), 5)
        # kubectl's own wording: it wraps the NotFound of the object it could not read.
        self.fails("scale", "deployment", "nope", "--replicas=1",
                   err='error: no objects passed to scale deployments.apps "nope" not found')

    def test_02_binding(self):
        binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "unbound"},
                   "target": {"kind": "Node", "name": "node-a"}}
        self.write("binding.json", json.dumps(binding))
        path = "/api/v1/namespaces/%s/pods/unbound/binding" % self.NS
        r = self.ok("create", "--raw", path, "-f", "binding.json", ns="")
        self.assertEqual(json.loads(r.out)["status"], "Success")
        got = self.get_json("pod/unbound")
        self.assertEqual(got["spec"]["nodeName"], "node-a")
        scheduled = [c for c in got["status"].get("conditions", []) if c["type"] == "PodScheduled"]
        self.assertEqual([c["status"] for c in scheduled], ["True"])
        self.fails("create", "--raw", path, "-f", "binding.json", ns="",
                   err='Error from server (Conflict): Operation cannot be fulfilled on pods '
                       '"unbound": pod unbound is already assigned to node "node-a"')

    def test_03_eviction(self):
        eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "doomed"}}
        self.write("eviction.json", json.dumps(eviction))
        path = "/api/v1/namespaces/%s/pods/doomed/eviction" % self.NS
        self.ok("create", "--raw", path, "-f", "eviction.json", ns="")
        self.fails("get", "pod", "doomed", err='Error from server (NotFound): pods "doomed" not found')
        self.fails("create", "--raw", path, "-f", "eviction.json", ns="",
                   err='Error from server (NotFound): pods "doomed" not found')

    def test_04_server_side_apply(self):
        self.write("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n"
                               "data:\n  a: \"1\"\n  b: \"2\"\n")
        self.out_is(self.ok("apply", "--server-side", "-f", "ssa.yaml"), ["configmap/ssa serverside-applied"])
        self.out_is(self.ok("apply", "--server-side", "-f", "ssa.yaml"), ["configmap/ssa serverside-applied"])
        got = json.loads(self.ok("get", "configmap/ssa", "-o", "json", "--show-managed-fields").out)
        self.assertEqual(got["data"], {"a": "1", "b": "2"})
        managers = [(m["manager"], m["operation"]) for m in got["metadata"].get("managedFields", [])]
        self.assertEqual(managers, [("kubectl", "Apply")])
        # A field dropped from the applied configuration is removed: the manager owned it.
        self.write("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n"
                               "data:\n  a: \"1\"\n")
        self.ok("apply", "--server-side", "-f", "ssa.yaml")
        self.assertEqual(self.get_json("configmap/ssa")["data"], {"a": "1"})
        # Another manager's field with a different value is a conflict unless forced.
        self.ok("apply", "--server-side", "--field-manager=other", "-f", "ssa.yaml")
        self.write("ssa2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n"
                                "data:\n  a: \"9\"\n")
        self.fails("apply", "--server-side", "--field-manager=other", "-f", "ssa2.yaml",
                   err_re=r'Apply failed with 1 conflict: conflict with "kubectl"')
        self.ok("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "ssa2.yaml")
        self.assertEqual(self.get_json("configmap/ssa")["data"], {"a": "9"})

    def test_05_server_dry_run(self):
        self.write("dry.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\ndata:\n  a: x\n")
        self.out_is(self.ok("apply", "--dry-run=server", "-f", "dry.yaml"),
                    ["configmap/dry created (server dry run)"])
        self.fails("get", "configmap", "dry", err='Error from server (NotFound): configmaps "dry" not found')
        self.out_is(self.ok("scale", "deployment", "web", "--replicas=7", "--dry-run=server"),
                    ["deployment.apps/web scaled (server dry run)"])
        self.assertNotEqual(self.replicas("deployment/web"), 7)


if __name__ == "__main__":
    _kubectl_from_args = kactor_fixture.take_path_option(sys.argv, "kubectl")
    try:
        sys.stderr.write("kubectl: %s (client 1.%d)\n" % (kubectl_binary(), client_minor()))
    except RuntimeError as e:
        sys.stderr.write("%s\n" % e)
        sys.exit(2)
    kactor_fixture.main()
