#!/usr/bin/env python3
"""kactor end to end: the API server's CRUD, selectors, paging, concurrency, patch, watch and
finalizer behaviour, checked against what kube-apiserver 1.32 does.

Run: python3 tests/e2e/test_crud.py --kactor build/kactor [-k pattern]
"""

import base64
import json
import os
import re
import socket
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/e2e free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kactor_fixture import (KactorServer, WatchStream, check_status, is_expired_watch, main, q,  # noqa: E402
                            rv_of, summarize_events)

CORE = "/api/v1"
APPS = "/apis/apps/v1"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
RV_RE = re.compile(r"^[0-9]+$")
WAIT = 10  # seconds to wait for an expected watch event


def nsp(ns, plural, name=None, group=CORE):
    p = "%s/namespaces/%s/%s" % (group, ns, plural)
    return p + "/" + name if name else p


def configmap(name, labels=None, data=None, annotations=None, finalizers=None):
    md = {"name": name}
    if labels is not None:
        md["labels"] = labels
    if annotations is not None:
        md["annotations"] = annotations
    if finalizers is not None:
        md["finalizers"] = finalizers
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md}
    if data is not None:
        obj["data"] = data
    return obj


def pod(name, node="e2e-nowhere", labels=None):
    # A pod bound to a node that does not exist: no scheduler or node touches it.
    md = {"name": name}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md,
            "spec": {"nodeName": node,
                     "containers": [{"name": "main", "image": "busybox:1.36",
                                     "command": ["sleep", "3600"]}]}}


def deployment(name, replicas=0, app=None):
    app = app or name
    spec = {"selector": {"matchLabels": {"app": app}},
            "template": {"metadata": {"labels": {"app": app}},
                         "spec": {"containers": [{"name": "main", "image": "busybox:1.36",
                                                  "command": ["sleep", "30"]}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def names(list_body, prefix=""):
    return [i["metadata"]["name"] for i in list_body["items"] if i["metadata"]["name"].startswith(prefix)]


def subset_mismatches(expected, actual, path=""):
    """Every field of `expected` must be in `actual` with the same value (lists: same length,
    element by element)."""
    out = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return ["%s: expected an object, got %r" % (path or ".", actual)]
        for k, v in expected.items():
            if k not in actual:
                out.append("%s.%s: missing" % (path, k))
            else:
                out += subset_mismatches(v, actual[k], "%s.%s" % (path, k))
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return ["%s: expected %r, got %r" % (path, expected, actual)]
        for i, (e, a) in enumerate(zip(expected, actual)):
            out += subset_mismatches(e, a, "%s[%d]" % (path, i))
    elif expected != actual or type(expected) is not type(actual):
        out.append("%s: expected %r, got %r" % (path, expected, actual))
    return out


class ApiServerTest(unittest.TestCase):
    NS = "e2e-crud"

    @classmethod
    def setUpClass(cls):
        cls.server = KactorServer(label="crud")
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.c = cls.server.client()
        for ns in (cls.NS, "e2e-sel", "e2e-page", "e2e-watch", "e2e-final"):
            cls.c.create(CORE + "/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": ns}})

    # -- helpers -------------------------------------------------------------------------------
    def assert_server_fields(self, obj, kind, api_version, ns, name, generation=None, after_rv=None):
        what = "%s %s/%s" % (kind, ns, name)
        md = obj.get("metadata", {})
        self.assertEqual(obj.get("kind"), kind, "%s: kind in %r" % (what, obj))
        self.assertEqual(obj.get("apiVersion"), api_version, "%s: apiVersion in %r" % (what, obj))
        self.assertEqual(md.get("name"), name, "%s: metadata.name in %r" % (what, md))
        if ns is not None:
            self.assertEqual(md.get("namespace"), ns, "%s: metadata.namespace (from the URL) in %r" % (what, md))
        self.assertRegex(md.get("uid") or "", UUID_RE, "%s: metadata.uid" % what)
        self.assertRegex(md.get("creationTimestamp") or "", TIME_RE, "%s: metadata.creationTimestamp" % what)
        self.assertIsInstance(md.get("resourceVersion"), str, "%s: resourceVersion must be a string" % what)
        self.assertRegex(md.get("resourceVersion"), RV_RE, "%s: resourceVersion" % what)
        if after_rv is not None:
            self.assertGreater(int(md["resourceVersion"]), after_rv,
                               "%s: resourceVersion must be newer than the list RV before the create" % what)
        if generation is not None:
            self.assertEqual(md.get("generation"), generation, "%s: metadata.generation in %r" % (what, md))

    def patch_ok(self, path, patch):
        return self.c.expect(self.c.patch(path, patch), 200, "merge patch %r" % (patch,))

    # -- the notes' curl commands ---------------------------------------------------------------
    def test_01_curl_style_endpoints(self):
        for path, kind in (("/api/v1/pods", "PodList"), ("/api/v1/services", "ServiceList"),
                           ("/api/v1/replicationcontrollers", "ReplicationControllerList")):
            body = self.c.list(path)
            self.assertEqual(body.get("kind"), kind, "GET %s: kind" % path)
            self.assertEqual(body.get("apiVersion"), "v1", "GET %s: apiVersion" % path)
            self.assertIsInstance(body.get("items"), list, "GET %s: items must be a list (even empty)" % path)
            self.assertRegex(body.get("metadata", {}).get("resourceVersion", ""), RV_RE,
                             "GET %s: list metadata.resourceVersion" % path)
        svcs = self.c.list("/api/v1/services")
        self.assertIn(("default", "kubernetes"),
                      [(i["metadata"].get("namespace"), i["metadata"]["name"]) for i in svcs["items"]],
                      "GET /api/v1/services must include default/kubernetes")
        svc = self.c.read("/api/v1/namespaces/default/services/kubernetes")
        self.assertEqual(svc.get("kind"), "Service")
        self.assertEqual(svc.get("apiVersion"), "v1")
        self.assertEqual(svc["metadata"]["name"], "kubernetes")

        r = self.c.get("/version")
        v = self.c.expect(r, 200, "version")
        self.assertEqual(v.get("major"), "1", "GET /version: %s" % r.describe())
        self.assertEqual(v.get("minor"), "32", "GET /version: %s" % r.describe())
        self.assertTrue(str(v.get("gitVersion", "")).startswith("v1.32."), "GET /version: %s" % r.describe())
        for field in ("gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"):
            self.assertIsInstance(v.get(field), str, "GET /version: field %s must be a string: %s" %
                                  (field, r.describe()))
        for path in ("/healthz", "/livez", "/readyz"):
            r = self.c.get(path)
            self.assertEqual(r.status, 200, "GET %s: %s" % (path, r.describe()))
        r = self.c.get("/healthz")
        self.assertEqual(r.body.strip(), b"ok", "GET /healthz body (kube-apiserver answers 'ok'): %s" % r.describe())

    def test_02_default_namespaces_and_kubernetes_service(self):
        body = self.c.list("/api/v1/namespaces")
        self.assertEqual(body.get("kind"), "NamespaceList")
        have = names(body)
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.assertEqual(have.count(ns), 1, "namespace %s once in %r" % (ns, have))
            obj = self.c.read("/api/v1/namespaces/" + ns)
            self.assertEqual(obj.get("kind"), "Namespace")
            self.assertNotIn("namespace", obj["metadata"], "a Namespace is cluster-scoped: %r" % obj["metadata"])
            self.assertEqual(obj.get("status", {}).get("phase"), "Active", "namespace %s status: %r" % (ns, obj))
        svc = self.c.read("/api/v1/namespaces/default/services/kubernetes")
        self.assertEqual(svc["metadata"].get("namespace"), "default")
        self.assertTrue(svc.get("spec", {}).get("ports"), "service kubernetes needs spec.ports: %r" % svc)
        self.assertTrue(svc.get("spec", {}).get("clusterIP"), "service kubernetes needs spec.clusterIP: %r" % svc)

    # -- create ---------------------------------------------------------------------------------
    def test_03_create_json_sets_server_fields(self):
        before = self.c.list_rv(nsp(self.NS, "configmaps"))
        obj = configmap("json-cm", labels={"a": "1"}, data={"k": "v"})
        obj["metadata"]["creationTimestamp"] = None  # what kubectl sends; null means absent
        created = self.c.create(nsp(self.NS, "configmaps"), obj)
        self.assert_server_fields(created, "ConfigMap", "v1", self.NS, "json-cm", after_rv=before)
        self.assertEqual(created.get("data"), {"k": "v"})
        got = self.c.read(nsp(self.NS, "configmaps", "json-cm"))
        self.assert_server_fields(got, "ConfigMap", "v1", self.NS, "json-cm")
        for f in ("uid", "resourceVersion", "creationTimestamp"):
            self.assertEqual(got["metadata"][f], created["metadata"][f], "GET after create: metadata.%s" % f)

        d = self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("json-deploy"))
        self.assert_server_fields(d, "Deployment", "apps/v1", self.NS, "json-deploy", generation=1, after_rv=before)
        rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "json-rc"},
              "spec": {"replicas": 0, "selector": {"app": "json-rc"},
                       "template": {"metadata": {"labels": {"app": "json-rc"}},
                                    "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]}}}}
        rc = self.c.create(nsp(self.NS, "replicationcontrollers"), rc)
        self.assert_server_fields(rc, "ReplicationController", "v1", self.NS, "json-rc", generation=1, after_rv=before)
        # Different objects have different uids.
        self.assertEqual(len({created["metadata"]["uid"], d["metadata"]["uid"], rc["metadata"]["uid"]}), 3)

    def test_04_create_yaml(self):
        pod_yaml = (
            "apiVersion: v1\n"
            "kind: Pod\n"
            "metadata:\n"
            "  name: yaml-pod\n"
            "  labels:\n"
            "    app: yaml\n"
            "    tier: \"backend\"\n"
            "  annotations:\n"
            "    e2e.kactor.io/note: \"from yaml: with a colon\"\n"
            "spec:\n"
            "  nodeName: e2e-nowhere\n"
            "  containers:\n"
            "  - name: main\n"
            "    image: busybox:1.36\n"
            "    command: [\"sleep\", \"3600\"]\n"
            "    ports:\n"
            "    - containerPort: 8080\n"
            "      protocol: TCP\n")
        expected = {"metadata": {"name": "yaml-pod", "labels": {"app": "yaml", "tier": "backend"},
                                 "annotations": {"e2e.kactor.io/note": "from yaml: with a colon"}},
                    "spec": {"nodeName": "e2e-nowhere",
                             "containers": [{"name": "main", "image": "busybox:1.36",
                                             "command": ["sleep", "3600"],
                                             "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}}
        r = self.c.post(nsp(self.NS, "pods"), pod_yaml, content_type="application/yaml")
        created = self.c.expect(r, 201, "create pod from YAML")
        self.assert_server_fields(created, "Pod", "v1", self.NS, "yaml-pod")
        got = self.c.read(nsp(self.NS, "pods", "yaml-pod"))
        self.assertEqual(subset_mismatches(expected, got), [], "YAML pod read back: %r" % got)

        rs_yaml = (
            "apiVersion: apps/v1\n"
            "kind: ReplicaSet\n"
            "metadata:\n"
            "  name: yaml-rs\n"
            "spec:\n"
            "  replicas: 0\n"
            "  selector:\n"
            "    matchLabels: {app: yaml-rs}\n"
            "  template:\n"
            "    metadata:\n"
            "      labels: {app: yaml-rs}\n"
            "    spec:\n"
            "      containers:\n"
            "      - name: main\n"
            "        image: busybox:1.36\n")
        r = self.c.post(nsp(self.NS, "replicasets", group=APPS), rs_yaml, content_type="application/yaml")
        rs = self.c.expect(r, 201, "create ReplicaSet from YAML")
        self.assert_server_fields(rs, "ReplicaSet", "apps/v1", self.NS, "yaml-rs", generation=1)
        self.assertEqual(rs["spec"]["replicas"], 0)
        self.assertEqual(rs["spec"]["selector"], {"matchLabels": {"app": "yaml-rs"}})

    def test_05_manifest_reads_back_unchanged(self):
        manifests = [
            (nsp(self.NS, "pods"), {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "manifest-pod", "labels": {"app": "web", "tier": "frontend"},
                             "annotations": {"e2e.kactor.io/a": "x", "e2e.kactor.io/b": "multi\nline"}},
                "spec": {
                    "nodeName": "e2e-nowhere",
                    "restartPolicy": "OnFailure",
                    "terminationGracePeriodSeconds": 5,
                    "nodeSelector": {"disk": "ssd"},
                    "containers": [{
                        "name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                        "command": ["/bin/sh", "-c"], "args": ["echo hi; sleep 3600"],
                        "workingDir": "/tmp",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "two words"}],
                        "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"},
                                  {"name": "dns", "containerPort": 53, "protocol": "UDP"}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                                      "requests": {"cpu": "250m", "memory": "64Mi"}}},
                        {"name": "side", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}),
            (nsp(self.NS, "services"), {
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "manifest-svc", "labels": {"app": "web"}},
                "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "sessionAffinity": "ClientIP",
                         "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                                   {"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP"}]}}),
            (nsp(self.NS, "deployments", group=APPS), {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "manifest-deploy", "labels": {"app": "mweb"},
                             "annotations": {"e2e.kactor.io/owner": "tests"}},
                "spec": {"replicas": 0, "revisionHistoryLimit": 3, "minReadySeconds": 2,
                         "progressDeadlineSeconds": 120,
                         "strategy": {"type": "RollingUpdate",
                                      "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "50%"}},
                         "selector": {"matchLabels": {"app": "mweb"}},
                         "template": {"metadata": {"labels": {"app": "mweb"}},
                                      "spec": {"containers": [{"name": "web", "image": "nginx:1.25",
                                                               "ports": [{"containerPort": 80}]}]}}}}),
            (nsp(self.NS, "configmaps"), {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "manifest-cm"},
                "data": {"app.properties": "a=1\nb=2\n", "empty": "", "unicode": "h\u00e9llo \u4e16\u754c"}}),
            (nsp(self.NS, "secrets"), {
                "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": "manifest-secret"},
                "data": {"password": "czNjcjN0"}}),
            (nsp(self.NS, "serviceaccounts"), {
                "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "manifest-sa"}}),
        ]
        for path, manifest in manifests:
            name = manifest["metadata"]["name"]
            with self.subTest(kind=manifest["kind"]):
                created = self.c.create(path, manifest)
                self.assertEqual(subset_mismatches(manifest, created), [],
                                 "create %s: response differs from the manifest" % name)
                got = self.c.read(path + "/" + name)
                self.assertEqual(subset_mismatches(manifest, got), [],
                                 "GET %s/%s: differs from the manifest: %r" % (path, name, got))
                self.assert_server_fields(got, manifest["kind"], manifest["apiVersion"], self.NS, name)

    def test_06_defaults(self):
        p = self.c.create(nsp(self.NS, "pods"), {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "defaults-pod"},
            "spec": {"nodeName": "e2e-nowhere",
                     "containers": [{"name": "c", "image": "busybox:1.36", "ports": [{"containerPort": 80}]}]}})
        self.assertEqual(p["spec"]["containers"][0]["ports"][0].get("protocol"), "TCP",
                         "container port protocol defaults to TCP: %r" % p["spec"])
        self.assertEqual(p["spec"].get("restartPolicy"), "Always", "pod restartPolicy default: %r" % p["spec"])
        self.assertEqual(p.get("status", {}).get("phase"), "Pending",
                         "a new pod on a node that never reports is Pending: %r" % p.get("status"))

        s = self.c.create(nsp(self.NS, "services"), {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "defaults-svc"},
            "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}})
        spec = s["spec"]
        self.assertEqual(spec.get("type"), "ClusterIP", "service type default: %r" % spec)
        self.assertEqual(spec["ports"][0].get("protocol"), "TCP", "service port protocol default: %r" % spec)
        self.assertEqual(spec["ports"][0].get("targetPort"), 80, "service targetPort defaults to port: %r" % spec)
        self.assertRegex(spec.get("clusterIP", ""), r"^\d+\.\d+\.\d+\.\d+$", "service clusterIP allocated: %r" % spec)
        self.assertEqual(spec.get("sessionAffinity"), "None", "service sessionAffinity default: %r" % spec)
        s2 = self.c.create(nsp(self.NS, "services"), {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "defaults-svc2"},
            "spec": {"selector": {"app": "y"}, "ports": [{"port": 81}]}})
        self.assertNotEqual(s2["spec"]["clusterIP"], spec["clusterIP"], "two services, two cluster IPs")
        # An address in use cannot be asked for; deleting its Service frees it.
        taken = spec["clusterIP"]
        wants_taken = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "defaults-svc3"},
                       "spec": {"clusterIP": taken, "ports": [{"port": 82}]}}
        check_status(self.c.post(nsp(self.NS, "services"), wants_taken), 422, "Invalid",
                     message='Service "defaults-svc3" is invalid: spec.clusterIPs: Invalid value: '
                             '["%s"]: failed to allocate IP %s: provided IP is already allocated' % (taken, taken),
                     what="create with a cluster IP in use")
        self.c.expect(self.c.delete(nsp(self.NS, "services", "defaults-svc")), 200, "delete the service")
        s3 = self.c.create(nsp(self.NS, "services"), wants_taken)
        self.assertEqual(s3["spec"]["clusterIPs"], [taken], "a freed cluster IP can be taken: %r" % s3["spec"])

        d = self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("defaults-deploy", replicas=None))
        # Scale it down at once: only the defaults matter here.
        self.patch_ok(nsp(self.NS, "deployments", "defaults-deploy", group=APPS), {"spec": {"replicas": 0}})
        dspec = d["spec"]
        self.assertEqual(dspec.get("replicas"), 1, "deployment replicas default: %r" % dspec)
        self.assertEqual(dspec.get("revisionHistoryLimit"), 10, "deployment revisionHistoryLimit default")
        self.assertEqual(dspec.get("progressDeadlineSeconds"), 600, "deployment progressDeadlineSeconds default")
        self.assertEqual(dspec.get("strategy"), {"type": "RollingUpdate",
                                                 "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                         "deployment strategy default")

    # -- list with selectors and paging ---------------------------------------------------------
    def _selector_fixtures(self):
        if getattr(type(self), "_sel_done", False):
            return
        ns = "e2e-sel"
        for name, labels in (("sel-a", {"app": "web", "tier": "frontend", "env": "prod"}),
                             ("sel-b", {"app": "web", "tier": "backend"}),
                             ("sel-c", {"app": "db", "tier": "backend", "env": "dev"}),
                             ("sel-d", {"app": "cache"}),
                             ("sel-e", None)):
            self.c.create(nsp(ns, "configmaps"), configmap(name, labels=labels))
        self.c.create(nsp(ns, "pods"), pod("sel-pod-a", node="e2e-node-a"))
        self.c.create(nsp(ns, "pods"), pod("sel-pod-b", node="e2e-node-b"))
        for name, kind, obj_name, uid, typ in (
                ("sel-ev-1", "Pod", "sel-pod-a", "11111111-1111-1111-1111-111111111111", "Normal"),
                ("sel-ev-2", "Pod", "sel-pod-b", "22222222-2222-2222-2222-222222222222", "Warning"),
                ("sel-ev-3", "Service", "sel-svc", "33333333-3333-3333-3333-333333333333", "Normal")):
            self.c.create(nsp(ns, "events"), {
                "apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
                "involvedObject": {"kind": kind, "namespace": ns, "name": obj_name, "uid": uid, "apiVersion": "v1"},
                "reason": "Testing", "message": "e2e " + name, "type": typ, "count": 1,
                "source": {"component": "e2e"},
                "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:00Z"})
        type(self)._sel_done = True

    def test_07_label_selectors(self):
        self._selector_fixtures()
        path = nsp("e2e-sel", "configmaps")
        cases = [
            ("app=web", ["sel-a", "sel-b"]),
            ("app==web", ["sel-a", "sel-b"]),
            ("app!=web", ["sel-c", "sel-d", "sel-e"]),
            ("tier in (frontend,backend)", ["sel-a", "sel-b", "sel-c"]),
            ("tier in (frontend, backend)", ["sel-a", "sel-b", "sel-c"]),
            ("tier notin (frontend)", ["sel-b", "sel-c", "sel-d", "sel-e"]),
            ("env", ["sel-a", "sel-c"]),
            ("!env", ["sel-b", "sel-d", "sel-e"]),
            ("app=web,tier=backend", ["sel-b"]),
            ("app in (web,db),!env", ["sel-b"]),
            ("tier,env notin (prod)", ["sel-b", "sel-c"]),
            ("app=nothing", []),
            ("", ["sel-a", "sel-b", "sel-c", "sel-d", "sel-e"]),
        ]
        for sel, want in cases:
            with self.subTest(labelSelector=sel):
                body = self.c.list(path + "?labelSelector=" + q(sel))
                self.assertEqual(sorted(names(body, "sel-")), want,
                                 "GET %s?labelSelector=%s" % (path, sel))
        # All namespaces.
        body = self.c.list("/api/v1/configmaps?labelSelector=" + q("app in (web,cache)"))
        got = sorted((i["metadata"]["namespace"], i["metadata"]["name"]) for i in body["items"])
        self.assertEqual(got, [("e2e-sel", "sel-a"), ("e2e-sel", "sel-b"), ("e2e-sel", "sel-d")],
                         "GET /api/v1/configmaps?labelSelector=app in (web,cache)")

    def test_08_field_selectors(self):
        self._selector_fixtures()
        cm = nsp("e2e-sel", "configmaps")
        cases = [
            (cm, "metadata.name=sel-a", "sel-", ["sel-a"]),
            (cm, "metadata.name==sel-b", "sel-", ["sel-b"]),
            (cm, "metadata.name!=sel-a", "sel-", ["sel-b", "sel-c", "sel-d", "sel-e"]),
            (cm, "metadata.name=sel-a,metadata.namespace=e2e-sel", "", ["sel-a"]),
            (cm, "metadata.namespace=other", "", []),
            (nsp("e2e-sel", "pods"), "spec.nodeName=e2e-node-a", "", ["sel-pod-a"]),
            (nsp("e2e-sel", "pods"), "status.phase=Pending", "sel-pod-", ["sel-pod-a", "sel-pod-b"]),
            (nsp("e2e-sel", "pods"), "status.phase!=Pending", "sel-pod-", []),
            (nsp("e2e-sel", "pods"), "spec.nodeName=e2e-node-a,status.phase!=Succeeded,status.phase!=Failed",
             "", ["sel-pod-a"]),
            ("/api/v1/pods", "spec.nodeName=e2e-node-b", "", ["sel-pod-b"]),
            (nsp("e2e-sel", "events"), "involvedObject.name=sel-pod-a", "", ["sel-ev-1"]),
            (nsp("e2e-sel", "events"),
             "involvedObject.name=sel-pod-a,involvedObject.namespace=e2e-sel,"
             "involvedObject.uid=11111111-1111-1111-1111-111111111111,involvedObject.kind=Pod", "", ["sel-ev-1"]),
            (nsp("e2e-sel", "events"), "involvedObject.kind=Pod", "sel-ev-", ["sel-ev-1", "sel-ev-2"]),
            (nsp("e2e-sel", "events"), "involvedObject.kind!=Pod", "sel-ev-", ["sel-ev-3"]),
            (nsp("e2e-sel", "events"), "involvedObject.uid=22222222-2222-2222-2222-222222222222", "", ["sel-ev-2"]),
            ("/api/v1/events", "involvedObject.name=sel-svc,involvedObject.namespace=e2e-sel", "", ["sel-ev-3"]),
        ]
        for path, sel, prefix, want in cases:
            with self.subTest(path=path, fieldSelector=sel):
                body = self.c.list(path + "?fieldSelector=" + q(sel))
                self.assertEqual(sorted(names(body, prefix)), want, "GET %s?fieldSelector=%s" % (path, sel))
        body = self.c.list("/api/v1/configmaps?fieldSelector=" + q("metadata.namespace=e2e-sel"))
        self.assertEqual({i["metadata"]["namespace"] for i in body["items"]}, {"e2e-sel"},
                         "fieldSelector metadata.namespace=e2e-sel over all namespaces")
        self.assertEqual(sorted(names(body, "sel-")), ["sel-a", "sel-b", "sel-c", "sel-d", "sel-e"])
        body = self.c.list(cm + "?fieldSelector=" + q("metadata.name=sel-a") + "&labelSelector=" + q("app=web"))
        self.assertEqual(names(body), ["sel-a"], "label and field selector together")

    def _page_all(self, path, limit, extra=""):
        """Follows continue tokens; returns (pages, names in order)."""
        pages, seen = [], []
        token = None
        for _ in range(1000):
            url = "%s?limit=%d%s" % (path, limit, extra)
            if token:
                url += "&continue=" + q(token)
            body = self.c.list(url)
            pages.append(body)
            seen += [(i["metadata"].get("namespace", ""), i["metadata"]["name"]) for i in body["items"]]
            token = body["metadata"].get("continue")
            if not token:
                return pages, seen
        self.fail("%s: more than 1000 pages" % path)

    def test_09_paging(self):
        path = nsp("e2e-page", "configmaps")
        for i in range(23):
            self.c.create(path, configmap("page-%02d" % i, labels={"page": "yes" if i % 2 == 0 else "no"}))
        full = self.c.list(path)
        everything = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in full["items"]]
        total = len(everything)
        self.assertGreaterEqual(total, 23)
        self.assertNotIn("continue", full["metadata"], "a list without limit has no continue token")

        pages, seen = self._page_all(path, 5)
        self.assertEqual(sorted(seen), sorted(everything), "limit=5 paging must return every item")
        self.assertEqual(len(seen), len(set(seen)), "limit=5 paging returned duplicates: %r" % seen)
        self.assertEqual(seen, sorted(seen), "items come in key (namespace/name) order across pages")
        self.assertEqual(len(pages), (total + 4) // 5, "page count for %d items, limit 5" % total)
        count = 0
        for i, page in enumerate(pages):
            md = page["metadata"]
            count += len(page["items"])
            self.assertEqual(page.get("kind"), "ConfigMapList")
            if i < len(pages) - 1:
                self.assertEqual(len(page["items"]), 5, "page %d size" % i)
                self.assertTrue(md.get("continue"), "page %d must carry metadata.continue: %r" % (i, md))
                self.assertEqual(md.get("remainingItemCount"), total - count,
                                 "page %d remainingItemCount: %r" % (i, md))
            else:
                self.assertNotIn("continue", md, "last page must not carry metadata.continue: %r" % md)
                self.assertNotIn("remainingItemCount", md, "last page has no remainingItemCount: %r" % md)
        # A continue token can be used again and gives the same page.
        first = self.c.list(path + "?limit=5")
        tok = first["metadata"]["continue"]
        a = self.c.list(path + "?limit=5&continue=" + q(tok))
        b = self.c.list(path + "?limit=5&continue=" + q(tok))
        self.assertEqual(names(a), names(b), "the same continue token twice")

        # With a label selector: every match exactly once.
        pages, seen = self._page_all(path, 4, "&labelSelector=" + q("page=yes"))
        want = sorted(("e2e-page", "page-%02d" % i) for i in range(0, 23, 2))
        self.assertEqual(sorted(seen), want, "paging with labelSelector page=yes")
        self.assertEqual(len(seen), len(set(seen)), "paging with a selector returned duplicates")
        for page in pages:
            self.assertLessEqual(len(page["items"]), 4)

        # All namespaces.
        all_full = self.c.list("/api/v1/configmaps")
        every = sorted((i["metadata"]["namespace"], i["metadata"]["name"]) for i in all_full["items"])
        pages, seen = self._page_all("/api/v1/configmaps", 7)
        self.assertEqual(sorted(seen), every, "all-namespaces paging with limit=7")
        self.assertEqual(len(seen), len(set(seen)), "all-namespaces paging returned duplicates")

    def _configmaps(self, ns, names):
        """Creates ConfigMaps `names` in namespace `ns`; returns the collection's path."""
        self.c.ensure_namespace(ns)
        path = nsp(ns, "configmaps")
        for name in names:
            self.c.create(path, configmap(name))
        return path

    def test_09c_paging_shows_the_first_pages_revision(self):
        # Later pages come from the snapshot of the first: writes in between do not show.
        path = self._configmaps("e2e-snap", ["snap-%02d" % i for i in range(12)])
        first = self.c.list(path + "?limit=4")
        rv = first["metadata"]["resourceVersion"]
        token = first["metadata"]["continue"]
        self.c.expect(self.c.delete(path + "/snap-05"), 200, "delete between pages")
        self.c.expect(self.c.delete(path + "/snap-10"), 200, "delete between pages")
        self.c.create(path, configmap("snap-06a"))
        changed = self.c.read(path + "/snap-08")
        changed["data"] = {"changed": "yes"}
        self.c.expect(self.c.put(path + "/snap-08", changed), 200, "update between pages")

        seen = [i["metadata"]["name"] for i in first["items"]]
        for _ in range(10):
            page = self.c.list(path + "?limit=4&continue=" + q(token))
            self.assertEqual(page["metadata"]["resourceVersion"], rv, "every page has the first's revision")
            for item in page["items"]:
                self.assertLessEqual(rv_of(item), int(rv), "no item newer than the list: %r" % item["metadata"])
                if item["metadata"]["name"] == "snap-08":
                    self.assertNotIn("changed", item.get("data", {}), "snap-08 as it was at the first page")
            seen += [i["metadata"]["name"] for i in page["items"]]
            token = page["metadata"].get("continue")
            if not token:
                break
        self.assertEqual(seen, ["snap-%02d" % i for i in range(12)], "the pages show the first page's state")
        now = [i["metadata"]["name"] for i in self.c.list(path)["items"]]
        self.assertIn("snap-06a", now)
        self.assertNotIn("snap-05", now)

    def test_09d_expired_continue_token_gets_410_and_a_token_over_the_current_state(self):
        path = self._configmaps("e2e-expire", ["exp-%d" % i for i in range(6)])
        first = self.c.list(path + "?limit=2")
        token = json.loads(base64.urlsafe_b64decode(first["metadata"]["continue"] + "=="))
        # A revision no list snapshot was kept for, now that the store has moved past it.
        token["rv"] = int(first["metadata"]["resourceVersion"]) - 1
        stale = base64.urlsafe_b64encode(json.dumps(token).encode()).decode().rstrip("=")
        self.c.create(path, configmap("exp-9"))
        r = self.c.get(path + "?limit=2&continue=" + q(stale))
        status = check_status(r, 410, "Expired", prefix="The provided continue parameter is too old",
                              what="continue token of a revision without a snapshot")
        self.assertIn("inconsistent list", status["message"])
        inconsistent = status["metadata"].get("continue")
        self.assertTrue(inconsistent, "the 410 carries a token that goes on over the current state")
        rest = []
        for _ in range(10):
            page = self.c.list(path + "?limit=2&continue=" + q(inconsistent))
            rest += [i["metadata"]["name"] for i in page["items"]]
            inconsistent = page["metadata"].get("continue")
            if not inconsistent:
                break
        self.assertEqual(rest, ["exp-2", "exp-3", "exp-4", "exp-5", "exp-9"],
                         "the rest of the list over the current state, new objects included")

    # -- update, patch, conflicts ---------------------------------------------------------------
    def test_09b_large_lists_span_store_pages(self):
        # More objects than one store page (512): lists without limit, with a selector, and
        # with a limit larger than a page must each return every matching item exactly once.
        path = nsp("e2e-big", "configmaps")
        self.c.create("%s/namespaces" % CORE, {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "e2e-big"}})
        for i in range(1100):
            self.c.create(path, configmap("big-%04d" % i, labels={"odd": "yes" if i % 2 else "no"}))
        names = [i["metadata"]["name"] for i in self.c.list(path)["items"]]
        self.assertEqual(names, ["big-%04d" % i for i in range(1100)])
        odd = [i["metadata"]["name"] for i in self.c.list(path + "?labelSelector=odd%3Dyes")["items"]]
        self.assertEqual(odd, ["big-%04d" % i for i in range(1, 1100, 2)])
        page = self.c.list(path + "?labelSelector=odd%3Dno&limit=600")
        self.assertEqual(len(page["items"]), 550)
        self.assertNotIn("continue", page["metadata"])
        page = self.c.list(path + "?limit=700")
        self.assertEqual(len(page["items"]), 700)
        rest = self.c.list(path + "?limit=700&continue=" + q(page["metadata"]["continue"]))
        self.assertEqual([i["metadata"]["name"] for i in rest["items"]],
                         ["big-%04d" % i for i in range(700, 1100)])

    def test_10_update_with_stale_resource_version_conflicts(self):
        path = nsp(self.NS, "pods", "conflict-pod")
        created = self.c.create(nsp(self.NS, "pods"), pod("conflict-pod"))
        stale = created["metadata"]["resourceVersion"]
        fresh = dict(created)
        fresh["metadata"] = dict(created["metadata"], labels={"updated": "yes"})
        r = self.c.put(path, fresh)
        updated = self.c.expect(r, 200, "PUT with the current resourceVersion")
        self.assertGreater(rv_of(updated), int(stale), "PUT must bump resourceVersion")
        self.assertEqual(updated["metadata"].get("labels"), {"updated": "yes"})
        self.assertEqual(updated["metadata"]["uid"], created["metadata"]["uid"])
        self.assertEqual(updated["metadata"]["creationTimestamp"], created["metadata"]["creationTimestamp"])

        msg = ('Operation cannot be fulfilled on pods "conflict-pod": the object has been modified; '
               'please apply your changes to the latest version and try again')
        again = dict(created)
        again["metadata"] = dict(created["metadata"], labels={"updated": "stale"})
        check_status(self.c.put(path, again), 409, "Conflict", message=msg,
                     details={"name": "conflict-pod", "kind": "pods"}, what="PUT with a stale resourceVersion")
        check_status(self.c.patch(path, {"metadata": {"resourceVersion": stale, "labels": {"x": "y"}}}),
                     409, "Conflict", message=msg, what="merge patch carrying a stale resourceVersion")
        now = self.c.read(path)
        self.assertEqual(now["metadata"]["resourceVersion"], updated["metadata"]["resourceVersion"],
                         "failed updates must not change the object")
        self.assertEqual(now["metadata"].get("labels"), {"updated": "yes"})

        dpath = nsp(self.NS, "deployments", "conflict-deploy", group=APPS)
        d = self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("conflict-deploy"))
        self.patch_ok(dpath, {"metadata": {"labels": {"bump": "1"}}})
        check_status(self.c.put(dpath, d), 409, "Conflict",
                     message='Operation cannot be fulfilled on deployments.apps "conflict-deploy": the object '
                             'has been modified; please apply your changes to the latest version and try again',
                     details={"name": "conflict-deploy", "group": "apps", "kind": "deployments"},
                     what="PUT deployment with a stale resourceVersion")

    def test_11_merge_patch(self):
        path = nsp(self.NS, "configmaps", "patch-cm")
        created = self.c.create(nsp(self.NS, "configmaps"),
                                configmap("patch-cm", labels={"a": "1"}, data={"x": "1", "y": "2"}))
        p1 = self.patch_ok(path, {"metadata": {"labels": {"b": "2"}}})
        self.assertEqual(p1["metadata"].get("labels"), {"a": "1", "b": "2"}, "labels merged")
        self.assertEqual(p1.get("data"), {"x": "1", "y": "2"}, "data untouched by a labels patch")
        self.assertGreater(rv_of(p1), rv_of(created))
        for f in ("uid", "creationTimestamp", "name", "namespace"):
            self.assertEqual(p1["metadata"][f], created["metadata"][f], "patch must keep metadata.%s" % f)
        p2 = self.patch_ok(path, {"metadata": {"labels": {"a": None}}, "data": {"y": None, "z": "3"}})
        self.assertEqual(p2["metadata"].get("labels"), {"b": "2"}, "null removes a label")
        self.assertEqual(p2.get("data"), {"x": "1", "z": "3"}, "null removes a data key, new keys added")
        self.assertGreater(rv_of(p2), rv_of(p1))
        p3 = self.patch_ok(path, {"metadata": {"labels": None}})
        self.assertIn(p3["metadata"].get("labels"), (None, {}), "null removes all labels: %r" % p3["metadata"])
        got = self.c.read(path)
        self.assertEqual(got, p3, "GET after patch returns what the patch returned")
        # Patching a missing object.
        check_status(self.c.patch(nsp(self.NS, "configmaps", "no-such-cm"), {"data": {"a": "b"}}), 404, "NotFound",
                     message='configmaps "no-such-cm" not found', what="merge patch of a missing object")

    def test_12_generation_follows_spec_changes(self):
        # kube-apiserver's Deployment strategy bumps metadata.generation when spec changes and also
        # when annotations change (they are copied to ReplicaSets); label changes do not bump it.
        path = nsp(self.NS, "deployments", "gen-deploy", group=APPS)
        d = self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("gen-deploy"))
        self.assertEqual(d["metadata"].get("generation"), 1)
        steps = [
            ({"metadata": {"labels": {"l": "1"}}}, 0, "label change"),
            ({"spec": {"minReadySeconds": 5}}, 1, "spec.minReadySeconds change"),
            ({"metadata": {"labels": {"l": "2"}}}, 0, "label change after a spec change"),
            ({"spec": {"paused": True}}, 1, "spec.paused change"),
            ({"spec": {"minReadySeconds": 5}}, 0, "patch setting spec to the value it already has"),
            ({"metadata": {"annotations": {"e2e.kactor.io/a": "1"}}}, 1, "annotation change"),
        ]
        last = d
        for patch, bump, what in steps:
            got = self.patch_ok(path, patch)
            self.assertEqual(got["metadata"].get("generation"), last["metadata"]["generation"] + bump,
                             "generation after %s (before: %r, after: %r)" % (what, last["metadata"], got["metadata"]))
            self.assertGreaterEqual(rv_of(got), rv_of(last))
            last = got
        # PUT changing spec (retry on conflicts with controller writes, as kubectl does).
        for attempt in range(5):
            cur = self.c.read(path)
            cur["spec"]["revisionHistoryLimit"] = 4
            r = self.c.put(path, cur)
            if r.status != 409:
                break
        got = self.c.expect(r, 200, "PUT changing spec.revisionHistoryLimit")
        self.assertEqual(got["metadata"].get("generation"), cur["metadata"]["generation"] + 1,
                         "generation after a PUT changing spec")
        self.assertEqual(self.c.read(path)["metadata"].get("generation"), got["metadata"]["generation"])
        # A PUT changing only labels keeps the generation.
        for attempt in range(5):
            cur = self.c.read(path)
            cur["metadata"]["labels"] = {"l": "3"}
            r = self.c.put(path, cur)
            if r.status != 409:
                break
        got = self.c.expect(r, 200, "PUT changing labels")
        self.assertEqual(got["metadata"].get("generation"), cur["metadata"]["generation"],
                         "generation after a PUT changing only labels")

    # -- errors ---------------------------------------------------------------------------------
    def test_13_already_exists(self):
        self.c.create(nsp(self.NS, "configmaps"), configmap("dup-cm"))
        check_status(self.c.post(nsp(self.NS, "configmaps"), configmap("dup-cm")), 409, "AlreadyExists",
                     message='configmaps "dup-cm" already exists', details={"name": "dup-cm", "kind": "configmaps"},
                     what="second create of a configmap")
        self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("dup-deploy"))
        check_status(self.c.post(nsp(self.NS, "deployments", group=APPS), deployment("dup-deploy")), 409,
                     "AlreadyExists", message='deployments.apps "dup-deploy" already exists',
                     details={"name": "dup-deploy", "group": "apps", "kind": "deployments"},
                     what="second create of a deployment")
        check_status(self.c.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                        "metadata": {"name": "default"}}),
                     409, "AlreadyExists", message='namespaces "default" already exists',
                     what="create namespace default")

    def test_14_not_found(self):
        cases = [
            ("GET", nsp(self.NS, "pods", "x"), 'pods "x" not found', {"name": "x", "kind": "pods"}),
            ("GET", nsp(self.NS, "deployments", "web", group=APPS), 'deployments.apps "web" not found',
             {"name": "web", "group": "apps", "kind": "deployments"}),
            ("GET", "/api/v1/nodes/nonode", 'nodes "nonode" not found', {"name": "nonode", "kind": "nodes"}),
            ("GET", "/api/v1/namespaces/nonamespace", 'namespaces "nonamespace" not found', None),
            ("DELETE", nsp(self.NS, "configmaps", "gone"), 'configmaps "gone" not found', None),
            ("GET", nsp("nons", "configmaps", "x"), 'configmaps "x" not found', None),
        ]
        for method, path, msg, details in cases:
            with self.subTest(method=method, path=path):
                check_status(self.c.request(method, path), 404, "NotFound", message=msg, details=details)

    def test_15_create_in_missing_namespace(self):
        check_status(self.c.post(nsp("nons", "configmaps"), configmap("x")), 404, "NotFound",
                     message='namespaces "nons" not found', details={"name": "nons", "kind": "namespaces"},
                     what="create a configmap in a missing namespace")
        check_status(self.c.post(nsp("nons", "deployments", group=APPS), deployment("x")), 404, "NotFound",
                     message='namespaces "nons" not found', what="create a deployment in a missing namespace")
        r = self.c.get(nsp("nons", "configmaps"))
        body = self.c.expect(r, 200, "list in a missing namespace (kube-apiserver answers an empty list)")
        self.assertEqual(body.get("items"), [])

    # -- watch ----------------------------------------------------------------------------------
    def _watch(self, path):
        ws = WatchStream(self.server.port, path)
        self.addCleanup(ws.close)
        self.assertEqual(ws.status, 200, "watch %s: %s" % (path, ws.response.describe() if ws.response else ""))
        self.assertIn("chunked", (ws.header("transfer-encoding") or "").lower(),
                      "watch %s must be chunked: %r" % (path, ws.headers))
        self.assertEqual((ws.header("content-type") or "").split(";")[0].strip(), "application/json",
                         "watch %s content type: %r" % (path, ws.headers))
        return ws

    def _events_for(self, ws, pred_names, until, timeout=WAIT):
        """Reads until an event for which `until(ev)` holds; returns the events whose object's name
        is in pred_names (others, e.g. controller-made objects, are ignored)."""
        evs, found = ws.collect_until(until, timeout)
        self.assertTrue(found, "watch %s: the expected event did not arrive within %ss; got %s; pending %r" %
                        (ws.path, timeout, summarize_events(ws.events), ws.pending()))
        return [e for e in evs if e.get("type") != "BOOKMARK"
                and (e.get("object") or {}).get("metadata", {}).get("name") in pred_names]

    def assert_event_sequence(self, events, expected, what):
        """expected: [(type, name, rv or None)] in order; RVs must increase strictly."""
        got = [(e.get("type"), e["object"]["metadata"]["name"]) for e in events]
        self.assertEqual(got, [(t, n) for t, n, _ in expected], "%s: events %s" % (what, summarize_events(events)))
        last = 0
        for e, (t, n, rv) in zip(events, expected):
            obj = e["object"]
            self.assertEqual(obj.get("kind"), "ConfigMap", "%s: event object kind: %r" % (what, e))
            self.assertEqual(obj.get("apiVersion"), "v1", "%s: event object apiVersion: %r" % (what, e))
            erv = rv_of(obj)
            if rv is not None:
                self.assertEqual(erv, rv, "%s: %s %s carries the RV the write returned" % (what, t, n))
            self.assertGreater(erv, last, "%s: resourceVersions must increase: %s" % (what, summarize_events(events)))
            last = erv

    def test_16_watch_from_resource_version(self):
        ns = "e2e-watch"
        coll = nsp(ns, "configmaps")
        rv0 = self.c.list_rv(coll)
        before = self.c.create(coll, configmap("w-before", data={"v": "0"}))
        rv1 = self.c.list_rv(coll)
        self.assertGreaterEqual(rv1, rv_of(before))
        ws1 = self._watch(coll + "?watch=true&resourceVersion=%d" % rv1)
        ws0 = self._watch(coll + "?watch=true&resourceVersion=%d" % rv0)
        wsall = self._watch("/api/v1/configmaps?watch=true&resourceVersion=%d" % rv1)

        a = self.c.create(coll, configmap("w1", data={"v": "1"}))
        m = self.patch_ok(nsp(ns, "configmaps", "w1"), {"data": {"v": "2"}})
        r = self.c.delete(nsp(ns, "configmaps", "w1"))
        self.assertEqual(r.status, 200, "DELETE w1: %s" % r.describe())

        def deleted_w1(ev):
            return ev.get("type") == "DELETED" and ev["object"]["metadata"]["name"] == "w1"

        expected = [("ADDED", "w1", rv_of(a)), ("MODIFIED", "w1", rv_of(m)), ("DELETED", "w1", None)]
        wanted = {"w-before", "w1"}
        ev1 = self._events_for(ws1, wanted, deleted_w1)
        self.assert_event_sequence(ev1, expected, "watch from the list RV %d" % rv1)
        ev0 = self._events_for(ws0, wanted, deleted_w1)
        self.assert_event_sequence(ev0, [("ADDED", "w-before", rv_of(before))] + expected,
                                   "watch from RV %d (before w-before was created)" % rv0)
        evall = self._events_for(wsall, wanted, deleted_w1)
        self.assert_event_sequence(evall, expected, "all-namespaces watch from RV %d" % rv1)
        self.assertEqual(ev1[-1]["object"].get("data"), {"v": "2"}, "DELETED carries the last state")
        # Nothing repeated afterwards.
        for ws in (ws1, ws0, wsall):
            extra = [e for e in ws.drain(1.0) if e["object"]["metadata"].get("name") in wanted]
            self.assertEqual(extra, [], "watch %s: events after DELETED: %s" % (ws.path, summarize_events(extra)))
            self.assertFalse(ws.ended, "watch %s must stay open" % ws.path)

    def test_17_watch_with_label_selector(self):
        ns = "e2e-watch"
        coll = nsp(ns, "configmaps")
        rv = self.c.list_rv(coll)
        sel = "&labelSelector=" + q("watchsel=yes")
        ws = self._watch(coll + "?watch=true&resourceVersion=%d%s" % (rv, sel))
        wsall = self._watch("/api/v1/configmaps?watch=true&resourceVersion=%d%s" % (rv, sel))
        yes = {"watchsel": "yes"}
        m1 = self.c.create(coll, configmap("ls-match", labels=yes))
        self.c.create(coll, configmap("ls-nomatch", labels={"watchsel": "no"}))
        m2 = self.patch_ok(nsp(ns, "configmaps", "ls-match"), {"metadata": {"annotations": {"n": "1"}}})
        self.patch_ok(nsp(ns, "configmaps", "ls-nomatch"), {"metadata": {"annotations": {"n": "1"}}})
        self.c.create(coll, configmap("ls-toggle"))
        t1 = self.patch_ok(nsp(ns, "configmaps", "ls-toggle"), {"metadata": {"labels": yes}})
        t2 = self.patch_ok(nsp(ns, "configmaps", "ls-toggle"), {"metadata": {"labels": {"watchsel": None}}})
        self.c.expect(self.c.delete(nsp(ns, "configmaps", "ls-nomatch")), 200, "delete ls-nomatch")
        self.c.expect(self.c.delete(nsp(ns, "configmaps", "ls-match")), 200, "delete ls-match")
        s = self.c.create(coll, configmap("ls-sentinel", labels=yes))
        expected = [("ADDED", "ls-match", rv_of(m1)), ("MODIFIED", "ls-match", rv_of(m2)),
                    ("ADDED", "ls-toggle", rv_of(t1)),      # starts matching: ADDED
                    ("DELETED", "ls-toggle", rv_of(t2)),    # stops matching: DELETED
                    ("DELETED", "ls-match", None), ("ADDED", "ls-sentinel", rv_of(s))]
        names_ = {"ls-match", "ls-nomatch", "ls-toggle", "ls-sentinel"}

        def sentinel(ev):
            return ev["object"]["metadata"].get("name") == "ls-sentinel"

        for stream in (ws, wsall):
            evs = self._events_for(stream, names_, sentinel)
            self.assert_event_sequence(evs, expected, "watch %s" % stream.path)
            # kube-apiserver: when an object stops matching, DELETED carries the previous (matching)
            # content with the new resourceVersion, so every event's object matches the selector.
            for e in evs:
                self.assertEqual((e["object"]["metadata"].get("labels") or {}).get("watchsel"), "yes",
                                 "object in %s must match the selector: %r" % (summarize_events([e]), e["object"]))

    def test_17b_watch_with_a_huge_timeout_stays_open(self):
        # A timeoutSeconds past the clock's range once made the deadline land in the past, so the
        # watch ended at once; it now counts as ten years.
        coll = nsp("e2e-watch", "configmaps")
        rv = self.c.list_rv(coll)
        ws = self._watch(coll + "?watch=true&resourceVersion=%d&timeoutSeconds=9300000000" % rv)
        time.sleep(0.3)
        self.c.create(coll, configmap("huge-timeout"))
        evs = self._events_for(ws, {"huge-timeout"},
                               lambda ev: ev["object"]["metadata"].get("name") == "huge-timeout")
        self.assertEqual([e["type"] for e in evs], ["ADDED"])
        self.assertFalse(ws.ended, "the watch must stay open")

    def test_17c_http10_watch_is_not_chunked(self):
        # HTTP/1.0 has no chunked encoding: the events come as they are, the close ends them.
        coll = nsp("e2e-watch", "configmaps")
        rv = self.c.list_rv(coll)
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        self.addCleanup(sock.close)
        sock.sendall(("GET %s?watch=true&resourceVersion=%d&timeoutSeconds=2 HTTP/1.0\r\n"
                      "Host: x\r\n\r\n" % (coll, rv)).encode())
        time.sleep(0.3)
        self.c.create(coll, configmap("http10-watch"))
        data, deadline = b"", time.time() + 10
        while time.time() < deadline:
            part = sock.recv(65536)
            if not part:
                break
            data += part
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        self.assertNotIn(b"chunked", head.lower())
        self.assertIn(b"connection: close", head.lower())
        events = [json.loads(line) for line in body.decode().splitlines() if line]
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in events],
                         [("ADDED", "http10-watch")])

    def test_18_watch_with_field_selector(self):
        ns = "e2e-watch"
        coll = nsp(ns, "configmaps")
        rv = self.c.list_rv(coll)
        ws = self._watch(coll + "?watch=true&resourceVersion=%d&fieldSelector=%s" % (rv, q("metadata.name=fs-target")))
        self.c.create(coll, configmap("fs-other"))
        a = self.c.create(coll, configmap("fs-target"))
        m = self.patch_ok(nsp(ns, "configmaps", "fs-target"), {"data": {"k": "v"}})
        self.patch_ok(nsp(ns, "configmaps", "fs-other"), {"data": {"k": "v"}})
        self.c.expect(self.c.delete(nsp(ns, "configmaps", "fs-other")), 200, "delete fs-other")
        self.c.expect(self.c.delete(nsp(ns, "configmaps", "fs-target")), 200, "delete fs-target")
        evs, found = ws.collect_until(lambda e: e.get("type") == "DELETED", WAIT)
        self.assertTrue(found, "no DELETED event: %s" % summarize_events(ws.events))
        evs = [e for e in evs if e.get("type") != "BOOKMARK"]
        self.assert_event_sequence(evs, [("ADDED", "fs-target", rv_of(a)), ("MODIFIED", "fs-target", rv_of(m)),
                                         ("DELETED", "fs-target", None)], "watch with fieldSelector")
        extra = [e for e in ws.drain(1.0) if e.get("type") != "BOOKMARK"]
        self.assertEqual(extra, [], "fieldSelector watch delivered other objects: %s" % summarize_events(extra))

    # -- delete and finalizers ------------------------------------------------------------------
    def test_19_delete(self):
        coll = nsp(self.NS, "configmaps")
        created = self.c.create(coll, configmap("del-cm"))
        r = self.c.delete(nsp(self.NS, "configmaps", "del-cm"))
        body = self.c.expect(r, 200, "DELETE configmap")
        if body.get("kind") == "Status":
            self.assertEqual(body.get("status"), "Success", "DELETE answer: %s" % r.describe())
            self.assertEqual((body.get("details") or {}).get("name"), "del-cm", "DELETE answer: %s" % r.describe())
            self.assertEqual((body.get("details") or {}).get("kind"), "configmaps", "DELETE answer: %s" % r.describe())
        else:
            self.assertEqual(body.get("kind"), "ConfigMap", "DELETE answers a Status or the object: %s" % r.describe())
            self.assertEqual(body["metadata"]["uid"], created["metadata"]["uid"])
        check_status(self.c.get(nsp(self.NS, "configmaps", "del-cm")), 404, "NotFound",
                     message='configmaps "del-cm" not found', what="GET after DELETE")
        check_status(self.c.delete(nsp(self.NS, "configmaps", "del-cm")), 404, "NotFound",
                     message='configmaps "del-cm" not found', what="second DELETE")
        # Deleting with the body kubectl sends, and with a matching uid precondition.
        dep = self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("del-deploy"))
        r = self.c.delete(nsp(self.NS, "deployments", "del-deploy", group=APPS),
                          {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background",
                           "preconditions": {"uid": dep["metadata"]["uid"]}})
        self.c.expect(r, 200, "DELETE deployment with propagationPolicy and a uid precondition")
        check_status(self.c.get(nsp(self.NS, "deployments", "del-deploy", group=APPS)), 404, "NotFound",
                     message='deployments.apps "del-deploy" not found', what="GET deployment after DELETE")
        # The name can be used again, with a new uid.
        again = self.c.create(coll, configmap("del-cm"))
        self.assertNotEqual(again["metadata"]["uid"], created["metadata"]["uid"], "re-created object gets a new uid")

    def test_20_finalizers(self):
        ns = "e2e-final"
        coll = nsp(ns, "configmaps")
        path = nsp(ns, "configmaps", "fin-cm")
        created = self.c.create(coll, configmap("fin-cm", finalizers=["e2e.kactor.io/hold"]))
        self.assertEqual(created["metadata"].get("finalizers"), ["e2e.kactor.io/hold"])
        ws = self._watch(coll + "?watch=true&resourceVersion=%d" % rv_of(created))

        r = self.c.delete(path)
        self.assertIn(r.status, (200, 202), "DELETE of an object with finalizers: %s" % r.describe())
        body = r.json()
        if body.get("kind") == "ConfigMap":
            self.assertTrue(body["metadata"].get("deletionTimestamp"), "DELETE answer: %s" % r.describe())
        got = self.c.read(path)
        self.assertRegex(got["metadata"].get("deletionTimestamp") or "", TIME_RE,
                         "object with finalizers stays, with deletionTimestamp: %r" % got["metadata"])
        self.assertEqual(got["metadata"].get("finalizers"), ["e2e.kactor.io/hold"])
        check_status(self.c.post(coll, configmap("fin-cm")), 409, "AlreadyExists",
                     message='configmaps "fin-cm" already exists', what="create while the old one is terminating")
        time.sleep(0.5)
        self.c.read(path)  # still there

        evs, found = ws.collect_until(lambda e: e.get("type") == "MODIFIED", WAIT)
        self.assertTrue(found, "no MODIFIED event for the deletionTimestamp: %s" % summarize_events(ws.events))
        self.assertTrue(evs[-1]["object"]["metadata"].get("deletionTimestamp"),
                        "MODIFIED event carries deletionTimestamp: %s" % summarize_events(evs))

        p = self.c.patch(path, {"metadata": {"finalizers": None}})
        self.assertEqual(p.status, 200, "PATCH removing the last finalizer: %s" % p.describe())
        check_status(self.c.get(path), 404, "NotFound", message='configmaps "fin-cm" not found',
                     what="GET after the last finalizer was removed")
        evs, found = ws.collect_until(lambda e: e.get("type") == "DELETED", WAIT)
        self.assertTrue(found, "no DELETED event after the finalizer was removed: %s" % summarize_events(ws.events))
        # At most one MODIFIED (finalizers emptied) may come before DELETED; kube-apiserver sends none.
        self.assertLessEqual(len(evs), 2, "events after the finalizer patch: %s" % summarize_events(evs))
        self.assertEqual(evs[-1]["object"]["metadata"]["name"], "fin-cm")
        self.assertGreater(rv_of(evs[-1]["object"]), rv_of(got))


    def test_21_openapi_documents_are_cacheable(self):
        index = self.c.get("/openapi/v3")
        self.assertEqual(index.status, 200, index.describe())
        url = json.loads(index.body)["paths"]["api/v1"]["serverRelativeURL"]
        doc = self.c.get(url)
        self.assertEqual(doc.status, 200, doc.describe())
        etag = doc.header("ETag")
        self.assertTrue(etag and etag.startswith('"'), "a hashed document carries an ETag: %r" % etag)
        cached = self.c.get(url, headers={"If-None-Match": etag})
        self.assertEqual(cached.status, 304, cached.describe())
        self.assertEqual(cached.body, b"", "304 has no body")
        self.assertIsNone(cached.header("Content-Length"), "304 has no Content-Length")
        stale = self.c.get(url, headers={"If-None-Match": '"old"'})
        self.assertEqual(stale.status, 200, stale.describe())
        self.assertEqual(stale.body, doc.body)

    def test_22_delete_collection(self):
        self.c.ensure_namespace("dc")
        base = "/api/v1/namespaces/dc/configmaps"
        for name, team in (("dc-a", "x"), ("dc-b", "x"), ("dc-c", "y")):
            self.c.create(base, {"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": name, "labels": {"team": team}}})
        self.c.create(base, {"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "dc-held", "labels": {"team": "x"},
                                          "finalizers": ["example.com/hold"]}})
        r = self.c.delete(base + "?labelSelector=team%3Dx")
        self.assertEqual(r.status, 200, r.describe())
        body = r.json()
        self.assertEqual(body["kind"], "ConfigMapList")
        self.assertEqual([i["metadata"]["name"] for i in body["items"]], ["dc-a", "dc-b", "dc-held"])
        remaining = [i["metadata"]["name"] for i in self.c.list(base)["items"]]
        self.assertEqual(remaining, ["dc-c", "dc-held"], "dc-held waits for its finalizer")
        held = self.c.read(base + "/dc-held")
        self.assertIn("deletionTimestamp", held["metadata"])
        # Nothing matches: an empty list, nothing changes.
        r = self.c.delete(base + "?labelSelector=team%3Dnobody")
        self.assertEqual((r.status, r.json()["items"]), (200, []), r.describe())
        # A dry run deletes nothing.
        r = self.c.delete(base + "?labelSelector=team%3Dy&dryRun=All")
        self.assertEqual([i["metadata"]["name"] for i in r.json()["items"]], ["dc-c"])
        self.c.read(base + "/dc-c")
        # All namespaces at once is not a deletecollection route.
        check_status(self.c.delete("/api/v1/configmaps"), 405, "MethodNotAllowed")
        check_status(self.c.delete(base + "?labelSelector=a%3D%3D%3Db"), 400, "BadRequest")
        self.c.patch(base + "/dc-held", {"metadata": {"finalizers": None}})

    def test_23_scale_put_reads_json_and_yaml(self):
        self.c.create(nsp(self.NS, "deployments", group=APPS), deployment("scale-put", replicas=1))
        scale_path = nsp(self.NS, "deployments", "scale-put", group=APPS) + "/scale"
        r = self.c.put(scale_path, {"apiVersion": "autoscaling/v1", "kind": "Scale",
                                    "metadata": {"name": "scale-put"}, "spec": {"replicas": 3}})
        self.assertEqual(self.c.expect(r, 200, "PUT scale as JSON")["spec"], {"replicas": 3})
        yaml = "apiVersion: autoscaling/v1\nkind: Scale\nmetadata:\n  name: scale-put\nspec:\n  replicas: 4\n"
        r = self.c.put(scale_path, yaml, content_type="application/yaml")
        self.assertEqual(self.c.expect(r, 200, "PUT scale as YAML")["spec"], {"replicas": 4})
        self.assertEqual(self.c.read(nsp(self.NS, "deployments", "scale-put", group=APPS))["spec"]["replicas"], 4)
        check_status(self.c.put(scale_path, "replicas=5", content_type="text/plain"), 415, "UnsupportedMediaType",
                     what="PUT scale as text/plain")
        check_status(self.c.put(scale_path, "spec: [1, 2", content_type="application/yaml"), 400, "BadRequest",
                     what="PUT scale with broken YAML")
        self.assertEqual(self.c.read(nsp(self.NS, "deployments", "scale-put", group=APPS))["spec"]["replicas"], 4)


class RestartTest(unittest.TestCase):
    """Clean SIGTERM, restart on the same data dir, persistence, and a watch from an RV older than
    the server's history (410 Expired)."""

    def test_restart_persistence_and_expired_watch(self):
        server = KactorServer(label="crud-restart")
        self.addCleanup(server.close)
        server.start()
        c = server.client()
        url = "http://127.0.0.1:%d" % server.port
        self.assertTrue(server.wait_for_log(url), "kactor prints %s at start; log: %s" % (url, server.read_log()[-2000:]))

        default_ns = c.read("/api/v1/namespaces/default")
        svc = c.read("/api/v1/namespaces/default/services/kubernetes")
        c.create(CORE + "/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "e2e-r"}})
        cm = c.create(nsp("e2e-r", "configmaps"), configmap("persist", labels={"a": "b"}, data={"k": "v"}))
        rc, how = server.stop()
        self.assertEqual((rc, how), (0, "SIGTERM"), "SIGTERM must stop kactor cleanly with exit code 0")

        server.start()
        got = c.read(nsp("e2e-r", "configmaps", "persist"))
        for f in ("uid", "resourceVersion", "creationTimestamp"):
            self.assertEqual(got["metadata"][f], cm["metadata"][f], "after restart: metadata.%s" % f)
        self.assertEqual(got.get("data"), {"k": "v"})
        self.assertEqual(got["metadata"].get("labels"), {"a": "b"})
        self.assertEqual(c.read("/api/v1/namespaces/default")["metadata"]["uid"], default_ns["metadata"]["uid"],
                         "the default namespace is not re-created on restart")
        self.assertEqual(c.read("/api/v1/namespaces/default/services/kubernetes")["metadata"]["uid"],
                         svc["metadata"]["uid"], "the kubernetes Service is not re-created on restart")
        nss = names(c.list("/api/v1/namespaces"))
        self.assertEqual(len(nss), len(set(nss)), "namespaces listed once: %r" % nss)

        ws = WatchStream(server.port, nsp("e2e-r", "configmaps") + "?watch=true&resourceVersion=1")
        self.addCleanup(ws.close)
        ok, desc = is_expired_watch(ws)
        self.assertTrue(ok, "watch from resourceVersion=1 after a restart must give 410 Expired: %s" % desc)

        list_rv = c.list_rv(nsp("e2e-r", "configmaps"))
        self.assertGreaterEqual(list_rv, rv_of(cm))
        ws2 = WatchStream(server.port, nsp("e2e-r", "configmaps") + "?watch=true&resourceVersion=%d" % list_rv)
        self.addCleanup(ws2.close)
        self.assertEqual(ws2.status, 200, "watch from the current RV after restart")
        new = c.create(nsp("e2e-r", "configmaps"), configmap("after-restart"))
        self.assertGreater(rv_of(new), rv_of(cm), "resourceVersions keep increasing across restarts")
        evs, found = ws2.collect_until(lambda e: e["object"]["metadata"].get("name") == "after-restart", WAIT)
        self.assertTrue(found, "watch after restart: %s" % summarize_events(ws2.events))
        self.assertEqual([e["type"] for e in evs if e.get("type") != "BOOKMARK"], ["ADDED"],
                         "only the new object: %s" % summarize_events(evs))
        rc, how = server.stop()
        self.assertEqual((rc, how), (0, "SIGTERM"), "second SIGTERM stop")


if __name__ == "__main__":
    main()
