#!/usr/bin/env python3
"""kactor end to end: malformed and invalid requests get the Status error kube-apiserver gives,
nothing takes the server down, and nothing changes the store.

Every case names the request; a failure shows what came back. The server runs with
apiServer.requestTimeoutSeconds: 2 (slow-client cases) and is restarted once before the cases so
that resourceVersion 1 is older than its watch history. After all cases: /healthz answers 200, and
a dump of every served resource type in every namespace (objects and list resourceVersions) equals
the dump taken before.

Run: python3 tests/e2e/test_bad_input.py --kactor build/kactor
"""

import base64
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/e2e free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kactor_fixture import (HOST, KactorServer, WatchStream, _Reader, build_request, is_expired_watch,  # noqa: E402
                            Response, main, q, raw_exchange, read_response, status_problems)

NS = "bad"
CM = "/api/v1/namespaces/%s/configmaps" % NS
CM_KEY = "core/configmaps/%s/" % NS  # the store's key prefix of CM, as continue tokens carry it
PODS = "/api/v1/namespaces/%s/pods" % NS
SVCS = "/api/v1/namespaces/%s/services" % NS
DEPLOYS = "/apis/apps/v1/namespaces/%s/deployments" % NS
REQUEST_TIMEOUT = 2  # apiServer.requestTimeoutSeconds of this test's server

NOT_FOUND_PATH = "the server could not find the requested resource"
NOT_ALLOWED = "the server does not allow this method on the requested resource"
NS_MISMATCH = "the namespace of the provided object does not match the namespace sent on the request"
UNKNOWN_FORMAT = "the body of the request was in an unknown format - accepted media types include:"

# Every resource type kactor serves: (list path over all namespaces, Kind).
ALL_LISTS = [("/api/v1/namespaces", "Namespace"), ("/api/v1/nodes", "Node"), ("/api/v1/pods", "Pod"),
             ("/api/v1/services", "Service"), ("/api/v1/endpoints", "Endpoints"),
             ("/api/v1/configmaps", "ConfigMap"), ("/api/v1/secrets", "Secret"),
             ("/api/v1/serviceaccounts", "ServiceAccount"), ("/api/v1/events", "Event"),
             ("/api/v1/replicationcontrollers", "ReplicationController"),
             ("/apis/apps/v1/replicasets", "ReplicaSet"), ("/apis/apps/v1/deployments", "Deployment")]


def cm_json(name="x", **extra):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}
    obj.update(extra)
    return obj


def cm_labels(labels, name="lbl"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}}


def pod_json(name="p", containers=None, spec_extra=None, metadata=None):
    spec = {"containers": containers if containers is not None else [{"name": "c", "image": "busybox"}]}
    spec.update(spec_extra or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata or {"name": name}, "spec": spec}


def pod_port(port, name="port", protocol=None):
    p = {"containerPort": port}
    if protocol:
        p["protocol"] = protocol
    return pod_json(name, [{"name": "c", "image": "busybox", "ports": [p]}])


def svc_json(name="s", ports=None, **spec):
    s = {"selector": {"app": "x"}}
    if ports is not None:
        s["ports"] = ports
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": s}


def deploy_json(name="d", replicas=1, selector=None, template_labels=None):
    spec = {"replicas": replicas,
            "template": {"metadata": {"labels": template_labels or {"app": "x"}},
                         "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}
    if selector is not False:
        spec["selector"] = selector or {"matchLabels": {"app": "x"}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def js(obj):
    return json.dumps(obj)


def token(fields):
    """A continue token with these fields, spelled as the server spells its own (URL-safe
    base64 without padding), query-escaped."""
    return q(base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("="))


def with_raw(template, placeholder, raw_value):
    """JSON text of `template` with the string "<placeholder>" replaced by raw JSON text, to build
    bodies with a wrong type in one place."""
    text = js(template)
    token = js(placeholder)
    assert token in text
    return text.replace(token, raw_value)


class Case:
    def __init__(self, name, method, path, code, reason, body=None, ctype=None, headers=None,
                 message=None, contains=None, prefix=None, details=None, cause_field=None, timeout=10):
        self.name, self.method, self.path = name, method, path
        self.code, self.reason = code, reason
        self.body, self.ctype, self.headers = body, ctype, headers
        self.message, self.contains, self.prefix, self.details = message, contains, prefix, details
        self.cause_field = cause_field
        self.timeout = timeout
        if isinstance(body, (dict, list)) and ctype is None:
            self.body, self.ctype = js(body), "application/json"


J = "application/json"
Y = "application/yaml"
MERGE = "application/merge-patch+json"


def invalid(kind, name, field, group=None, message=None, contains=None):
    """A 422 Invalid case's expectations, as kube-apiserver builds them: the message starts with
    `Kind.group "name" is invalid: ` and names the field (several errors are listed in [...]);
    details carry the Kind, the name and a cause for the field (kubectl prints from those)."""
    qual = kind + ("." + group if group else "")
    exp = {"prefix": '%s "%s" is invalid: ' % (qual, name),
           "contains": [field] + ([contains] if contains else []),
           "details": {"kind": kind, "name": name},
           "cause_field": field.split(":")[0]}
    if group:
        exp["details"]["group"] = group
    if message:
        exp["message"] = message
    return exp


def http_cases():
    long_253 = "a" * 254
    c = []
    add = c.append

    # --- JSON syntax --------------------------------------------------------------------------
    add(Case("broken JSON (trailing comma)", "POST", CM, 400, "BadRequest",
             '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x",}}', J))
    add(Case("truncated JSON", "POST", CM, 400, "BadRequest", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"tr', J))
    add(Case("JSON with trailing garbage", "POST", CM, 400, "BadRequest", js(cm_json("trail")) + " garbage", J))
    add(Case("two JSON objects", "POST", CM, 400, "BadRequest", js(cm_json("two1")) + js(cm_json("two2")), J))
    add(Case("JSON array instead of an object", "POST", CM, 400, "BadRequest", js([cm_json("arr")]), J))
    add(Case("JSON number instead of an object", "POST", CM, 400, "BadRequest", "42", J))
    add(Case("JSON string instead of an object", "POST", CM, 400, "BadRequest", '"hello"', J))
    add(Case("JSON boolean instead of an object", "POST", CM, 400, "BadRequest", "true", J))
    add(Case("empty body", "POST", CM, 400, "BadRequest", "", J))
    add(Case("whitespace-only body", "POST", CM, 400, "BadRequest", "  \n\t ", J))
    add(Case("unterminated string", "POST", CM, 400, "BadRequest", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x}}', J))
    add(Case("invalid escape in a string", "POST", CM, 400, "BadRequest",
             '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"\\q"}}', J))
    add(Case("bare word value", "POST", CM, 400, "BadRequest", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":nope}}', J))
    add(Case("100000-deep nesting", "POST", CM, 400, "BadRequest",
             '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"k":' +
             "[" * 100000 + "]" * 100000 + "}}", J))

    # --- YAML -----------------------------------------------------------------------------------
    add(Case("broken YAML (unclosed flow sequence)", "POST", CM, 400, "BadRequest",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n", Y))
    add(Case("truncated YAML (unterminated quote)", "POST", CM, 400, "BadRequest",
             'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "trunc', Y))
    add(Case("YAML indented with a tab", "POST", CM, 400, "BadRequest",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n", Y))
    add(Case("YAML !!binary with a byte above 0x7F", "POST", CM, 400, "BadRequest",
             'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bin\nbinaryData:\n  a: !!binary "\u00ff"\n', Y,
             contains="!!binary value contains invalid base64 data"))
    add(Case("YAML bad indentation", "POST", CM, 400, "BadRequest",
             "apiVersion: v1\n kind: ConfigMap\nmetadata:\n  name: badindent\n", Y))
    add(Case("YAML scalar instead of a mapping", "POST", CM, 400, "BadRequest", "just a string\n", Y))
    add(Case("YAML sequence instead of a mapping", "POST", CM, 400, "BadRequest", "- a\n- b\n", Y))
    add(Case("YAML list for metadata.name", "POST", CM, 400, "BadRequest",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a, b]\n", Y))

    # --- wrong field types ------------------------------------------------------------------------
    handled_pod = 'Pod in version "v1" cannot be handled as a Pod'
    add(Case("string for containerPort", "POST", PODS, 400, "BadRequest",
             pod_json("typeport", [{"name": "c", "image": "busybox", "ports": [{"containerPort": "80"}]}]),
             contains=handled_pod))
    add(Case("object for metadata.name", "POST", PODS, 400, "BadRequest",
             with_raw(pod_json(metadata={"name": "@@"}), "@@", '{"x":1}'), J, contains=handled_pod))
    add(Case("list for metadata.labels", "POST", PODS, 400, "BadRequest",
             with_raw(pod_json(metadata={"name": "typelabels", "labels": "@@"}), "@@", '["a","b"]'), J,
             contains=handled_pod))
    add(Case("number for image", "POST", PODS, 400, "BadRequest",
             pod_json("typeimage", [{"name": "c", "image": 42}]), contains=handled_pod))
    add(Case("string for metadata", "POST", PODS, 400, "BadRequest",
             {"apiVersion": "v1", "kind": "Pod", "metadata": "p", "spec": {"containers": []}}, contains=handled_pod))
    add(Case("object for spec.containers", "POST", PODS, 400, "BadRequest",
             {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "typecont"},
              "spec": {"containers": {"name": "c", "image": "busybox"}}}, contains=handled_pod))
    add(Case("number for a label value", "POST", PODS, 400, "BadRequest",
             pod_json(metadata={"name": "typelabelval", "labels": {"a": 1}}), contains=handled_pod))
    add(Case("string for deployment replicas", "POST", DEPLOYS, 400, "BadRequest", deploy_json("typerep", "3"),
             contains='Deployment in version "v1" cannot be handled as a Deployment'))
    add(Case("number for a configmap data value", "POST", CM, 400, "BadRequest",
             cm_json("typedata", data={"k": 1}), contains='ConfigMap in version "v1" cannot be handled as a ConfigMap'))
    add(Case("boolean for an annotation value", "POST", CM, 400, "BadRequest",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "typeann", "annotations": {"a": True}}},
             contains='ConfigMap in version "v1" cannot be handled as a ConfigMap'))

    # --- bad names (422 Invalid) ------------------------------------------------------------------
    add(Case("uppercase name", "POST", CM, 422, "Invalid", cm_json("BadName"),
             **invalid("ConfigMap", "BadName", 'metadata.name: Invalid value: "BadName"',
                       contains="a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters")))
    add(Case("name longer than 253", "POST", CM, 422, "Invalid", cm_json(long_253),
             **invalid("ConfigMap", long_253, "metadata.name: Invalid value", contains="must be no more than 253 characters")))
    add(Case("service name longer than 63", "POST", SVCS, 422, "Invalid", svc_json("s" * 64, [{"port": 80}]),
             **invalid("Service", "s" * 64, "metadata.name: Invalid value", contains="must be no more than 63 characters")))
    add(Case("namespace name longer than 63", "POST", "/api/v1/namespaces", 422, "Invalid",
             {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n" * 64}},
             **invalid("Namespace", "n" * 64, "metadata.name: Invalid value", contains="must be no more than 63 characters")))
    add(Case("empty name", "POST", CM, 422, "Invalid", cm_json(""),
             **invalid("ConfigMap", "", "metadata.name",
                       message='ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required')))
    add(Case("missing metadata", "POST", CM, 422, "Invalid", {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}},
             **invalid("ConfigMap", "", "metadata.name",
                       message='ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required')))
    add(Case("name with a leading dash", "POST", CM, 422, "Invalid", cm_json("-leading"),
             **invalid("ConfigMap", "-leading", 'metadata.name: Invalid value: "-leading"')))
    add(Case("name with a trailing dash", "POST", CM, 422, "Invalid", cm_json("trailing-"),
             **invalid("ConfigMap", "trailing-", 'metadata.name: Invalid value: "trailing-"')))
    add(Case("name with an underscore", "POST", PODS, 422, "Invalid", pod_json("bad_name"),
             **invalid("Pod", "bad_name", 'metadata.name: Invalid value: "bad_name"')))
    add(Case("name with a slash", "POST", CM, 422, "Invalid", cm_json("a/b"),
             **invalid("ConfigMap", "a/b", 'metadata.name: Invalid value: "a/b"')))
    add(Case("service name starting with a digit", "POST", SVCS, 422, "Invalid", svc_json("1svc", [{"port": 80}]),
             **invalid("Service", "1svc", 'metadata.name: Invalid value: "1svc"')))

    # --- bad labels and annotations -----------------------------------------------------------------
    for what, labels, field in (
            ("label key with a leading dash", {"-bad": "x"}, 'metadata.labels: Invalid value: "-bad"'),
            ("label key with two slashes", {"a/b/c": "x"}, 'metadata.labels: Invalid value: "a/b/c"'),
            ("label key name part longer than 63", {"k" * 64: "x"}, 'metadata.labels: Invalid value: "%s"' % ("k" * 64)),
            ("label key with a bad prefix", {"Bad_Prefix/key": "x"}, 'metadata.labels: Invalid value: "Bad_Prefix/key"'),
            ("empty label key", {"": "x"}, 'metadata.labels: Invalid value: ""'),
            ("label value longer than 63", {"k": "v" * 64}, 'metadata.labels: Invalid value: "%s"' % ("v" * 64)),
            ("label value with a space", {"k": "has space"}, 'metadata.labels: Invalid value: "has space"'),
            ("label value with a leading dash", {"k": "-v"}, 'metadata.labels: Invalid value: "-v"')):
        add(Case(what, "POST", CM, 422, "Invalid", cm_labels(labels), **invalid("ConfigMap", "lbl", field)))
    add(Case("annotation key with a space", "POST", CM, 422, "Invalid",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ann", "annotations": {"bad key": "v"}}},
             **invalid("ConfigMap", "ann", 'metadata.annotations: Invalid value: "bad key"')))

    # --- missing required fields, bad values ---------------------------------------------------------
    add(Case("pod without containers", "POST", PODS, 422, "Invalid", pod_json("nocontainers", []),
             **invalid("Pod", "nocontainers", "spec.containers",
                       message='Pod "nocontainers" is invalid: spec.containers: Required value')))
    add(Case("pod without spec", "POST", PODS, 422, "Invalid", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nospec"}},
             **invalid("Pod", "nospec", "spec.containers",
                       message='Pod "nospec" is invalid: spec.containers: Required value')))
    add(Case("container without image", "POST", PODS, 422, "Invalid", pod_json("noimage", [{"name": "c"}]),
             **invalid("Pod", "noimage", "spec.containers[0].image",
                       message='Pod "noimage" is invalid: spec.containers[0].image: Required value')))
    add(Case("container without name", "POST", PODS, 422, "Invalid", pod_json("nocname", [{"image": "busybox"}]),
             **invalid("Pod", "nocname", "spec.containers[0].name",
                       message='Pod "nocname" is invalid: spec.containers[0].name: Required value')))
    add(Case("duplicate container names", "POST", PODS, 422, "Invalid",
             pod_json("dup", [{"name": "c", "image": "busybox"}, {"name": "c", "image": "busybox"}]),
             **invalid("Pod", "dup", "spec.containers[1].name",
                       message='Pod "dup" is invalid: spec.containers[1].name: Duplicate value: "c"')))
    add(Case("invalid container name", "POST", PODS, 422, "Invalid", pod_json("badcname", [{"name": "Bad_C", "image": "busybox"}]),
             **invalid("Pod", "badcname", 'spec.containers[0].name: Invalid value: "Bad_C"')))
    add(Case("containerPort 0", "POST", PODS, 422, "Invalid", pod_port(0, "port0"),
             **invalid("Pod", "port0", "spec.containers[0].ports[0].containerPort")))
    add(Case("containerPort 70000", "POST", PODS, 422, "Invalid", pod_port(70000, "port70000"),
             **invalid("Pod", "port70000", "spec.containers[0].ports[0].containerPort",
                       contains="spec.containers[0].ports[0].containerPort: Invalid value: 70000: "
                                "must be between 1 and 65535, inclusive")))
    add(Case("containerPort -1", "POST", PODS, 422, "Invalid", pod_port(-1, "portneg"),
             **invalid("Pod", "portneg", "spec.containers[0].ports[0].containerPort: Invalid value: -1")))
    add(Case("unsupported port protocol", "POST", PODS, 422, "Invalid", pod_port(80, "portproto", "XTP"),
             **invalid("Pod", "portproto", 'spec.containers[0].ports[0].protocol: Unsupported value: "XTP"')))
    add(Case("unsupported restartPolicy", "POST", PODS, 422, "Invalid",
             pod_json("restart", spec_extra={"restartPolicy": "Sometimes"}),
             **invalid("Pod", "restart", 'spec.restartPolicy: Unsupported value: "Sometimes"')))
    add(Case("service port 0", "POST", SVCS, 422, "Invalid", svc_json("sport0", [{"port": 0}]),
             **invalid("Service", "sport0", "spec.ports[0].port",
                       contains="spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive")))
    add(Case("service port 70000", "POST", SVCS, 422, "Invalid", svc_json("sport70000", [{"port": 70000}]),
             **invalid("Service", "sport70000", "spec.ports[0].port",
                       contains="spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive")))
    add(Case("service without ports", "POST", SVCS, 422, "Invalid", svc_json("noports"),
             **invalid("Service", "noports", "spec.ports", contains="spec.ports: Required value")))
    add(Case("deployment with negative replicas", "POST", DEPLOYS, 422, "Invalid", deploy_json("negreplicas", -1),
             **invalid("Deployment", "negreplicas", "spec.replicas", group="apps",
                       message='Deployment.apps "negreplicas" is invalid: spec.replicas: Invalid value: -1: '
                               'must be greater than or equal to 0')))
    add(Case("deployment selector not matching the template", "POST", DEPLOYS, 422, "Invalid",
             deploy_json("mismatch", 1, {"matchLabels": {"app": "a"}}, {"app": "b"}),
             **invalid("Deployment", "mismatch", "spec.template.metadata.labels", group="apps")))
    add(Case("deployment without selector", "POST", DEPLOYS, 422, "Invalid", deploy_json("nosel", 1, False),
             **invalid("Deployment", "nosel", "spec.selector", group="apps", contains="spec.selector: Required value")))

    # --- kind / apiVersion / namespace / name vs. the URL ---------------------------------------------
    add(Case("Service body posted to pods", "POST", PODS, 400, "BadRequest", svc_json("kindmismatch", [{"port": 80}])))
    add(Case("apiVersion apps/v1 posted to a core URL", "POST", PODS, 400, "BadRequest",
             dict(pod_json("gvmismatch"), apiVersion="apps/v1")))
    add(Case("Deployment with apiVersion v1", "POST", DEPLOYS, 400, "BadRequest", dict(deploy_json("gv1"), apiVersion="v1")))
    add(Case("unknown kind", "POST", CM, 400, "BadRequest", {"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "foo"}}))
    add(Case("namespace in body differs from URL (POST)", "POST", CM, 400, "BadRequest",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nsm", "namespace": "other"}}, message=NS_MISMATCH))
    add(Case("namespace in body differs from URL (PUT)", "PUT", CM + "/cm", 400, "BadRequest",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "other"}}, message=NS_MISMATCH))
    add(Case("name in body differs from URL (PUT)", "PUT", CM + "/cm", 400, "BadRequest",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": NS}},
             message="the name of the object (other) does not match the name on the URL (cm)"))

    # --- unknown paths ----------------------------------------------------------------------------
    for path in ("/api/v1/foos", "/api/v1/namespaces/%s/foos" % NS, "/apis/nosuch.example.com/v1/things",
                 "/api/v2/pods", "/apis/apps/v9/deployments", "/apis/apps/v1/pods", "/totally/unknown",
                 "/api/v1/namespaces/%s/nodes" % NS, "/api/v1/namespaces/%s/namespaces" % NS,
                 "/api/v1/namespaces/%s/pods/p/foo" % NS, CM + "/cm/status", CM + "/cm/foo",
                 CM + "/cm/extra/segments/here", "/apis/apps/v1/namespaces/%s/deployments/d/bogus" % NS):
        add(Case("unknown path %s" % path, "GET", path, 404, "NotFound", message=NOT_FOUND_PATH))
    add(Case("POST to an unknown resource", "POST", "/api/v1/namespaces/%s/foos" % NS, 404, "NotFound",
             {"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "f"}}, message=NOT_FOUND_PATH))

    # --- verbs not allowed ------------------------------------------------------------------------
    add(Case("PUT on a collection", "PUT", CM, 405, "MethodNotAllowed", cm_json("putcoll"), message=NOT_ALLOWED))
    add(Case("PATCH on a collection", "PATCH", CM, 405, "MethodNotAllowed", js({"data": {"a": "b"}}), MERGE, message=NOT_ALLOWED))
    add(Case("POST to a named object", "POST", CM + "/cm", 405, "MethodNotAllowed", cm_json("cm"), message=NOT_ALLOWED))
    add(Case("POST to an all-namespaces list", "POST", "/api/v1/pods", 405, "MethodNotAllowed", pod_json("allns"),
             message=NOT_ALLOWED))
    add(Case("PUT on an all-namespaces list", "PUT", "/api/v1/configmaps", 405, "MethodNotAllowed", cm_json("allns"),
             message=NOT_ALLOWED))

    # --- selectors ------------------------------------------------------------------------------------
    for sel in ("app=(", "a b", "app in (a", "-bad=x", "app=bad value!", "app notin x", "=x", "app in (,"):
        add(Case("bad labelSelector %r" % sel, "GET", CM + "?labelSelector=" + q(sel), 400, "BadRequest"))
    add(Case("bad labelSelector on watch", "GET", CM + "?watch=true&labelSelector=" + q("app in (a"), 400, "BadRequest"))
    add(Case("unsupported pod fieldSelector", "GET", PODS + "?fieldSelector=" + q("spec.foo=bar"), 400, "BadRequest",
             contains="field label not supported: spec.foo"))
    add(Case("unsupported configmap fieldSelector", "GET", CM + "?fieldSelector=" + q("data.k=v"), 400, "BadRequest",
             contains="field label not supported: data.k"))
    add(Case("spec.nodeName fieldSelector on configmaps", "GET", CM + "?fieldSelector=" + q("spec.nodeName=n"), 400,
             "BadRequest", contains="field label not supported: spec.nodeName"))
    add(Case("fieldSelector without an operator", "GET", CM + "?fieldSelector=" + q("metadata.name"), 400, "BadRequest"))
    add(Case("unsupported fieldSelector on watch", "GET", PODS + "?watch=true&fieldSelector=" + q("spec.foo=bar"), 400,
             "BadRequest", contains="field label not supported: spec.foo"))

    # --- resourceVersion, limit, continue ---------------------------------------------------------------
    add(Case("non-numeric resourceVersion on get", "GET", CM + "/cm?resourceVersion=abc", 400, "BadRequest"))
    add(Case("non-numeric resourceVersion on list", "GET", CM + "?resourceVersion=abc", 400, "BadRequest"))
    add(Case("negative resourceVersion on list", "GET", CM + "?resourceVersion=-5", 400, "BadRequest"))
    add(Case("non-numeric resourceVersion on watch", "GET", CM + "?watch=true&resourceVersion=abc", 400, "BadRequest"))
    add(Case("non-numeric limit", "GET", CM + "?limit=abc", 400, "BadRequest"))
    add(Case("garbage continue token", "GET", CM + "?limit=1&continue=" + q("!!not-a-token!!"), 400, "BadRequest"))
    add(Case("base64 garbage continue token", "GET", CM + "?limit=1&continue=" + q("Z2FyYmFnZQ=="), 400, "BadRequest"))
    add(Case("continue token with rv 0", "GET", CM + "?limit=1&continue=" + token({"v": "meta.k8s.io/v1", "rv": 0,
                                                                               "start": CM_KEY + "a"}),
             400, "BadRequest", message="invalid continue token: continue key is not valid: incorrect encoded start "
                                        "resourceVersion (version meta.k8s.io/v1)"))
    add(Case("continue token of an unknown version", "GET", CM + "?limit=1&continue=" + token({"v": "v9", "rv": 5,
                                                                                            "start": "x"}),
             400, "BadRequest", message="invalid continue token: continue key is not valid: server does not "
                                        "recognize this encoded version"))
    add(Case("continue token of another collection", "GET", CM + "?limit=1&continue=" + token(
        {"v": "meta.k8s.io/v1", "rv": 5, "start": "core/secrets/default/a"}), 400, "BadRequest",
        message="invalid continue token: continue key is not valid"))
    add(Case("continue with a resourceVersion", "GET", CM + "?limit=1&resourceVersion=3&continue=" + token(
        {"v": "meta.k8s.io/v1", "rv": 5, "start": CM_KEY + "a"}), 400, "BadRequest",
        message="specifying resource version is not allowed when using continue"))
    add(Case("resourceVersionMatch without resourceVersion", "GET", CM + "?resourceVersionMatch=NotOlderThan", 422,
             "Invalid", message='ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
                                'resourceVersionMatch is forbidden unless resourceVersion is provided'))
    add(Case("resourceVersionMatch with continue", "GET", CM + "?resourceVersion=1&resourceVersionMatch=Exact&continue="
             + token({"v": "meta.k8s.io/v1", "rv": 5, "start": CM_KEY + "a"}), 422, "Invalid",
             message='ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
                     'resourceVersionMatch is forbidden when continue is provided'))
    add(Case("unknown resourceVersionMatch", "GET", CM + "?resourceVersion=1&resourceVersionMatch=Newest", 422,
             "Invalid", message='ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: '
                                '"Newest": supported values: "Exact", "NotOlderThan", ""'))
    add(Case("Exact resourceVersionMatch at resourceVersion 0", "GET", CM + "?resourceVersion=0&resourceVersionMatch=Exact",
             422, "Invalid", message='ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
                                     'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    add(Case("sendInitialEvents on a watch (no WatchList)", "GET",
             CM + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", 422, "Invalid",
             message='ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is '
                     'forbidden for watch unless the WatchList feature gate is enabled'))
    add(Case("resourceVersionMatch on a watch without sendInitialEvents", "GET",
             CM + "?watch=true&resourceVersion=1&resourceVersionMatch=Exact", 422, "Invalid",
             message='ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is '
                     'forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported '
                     'value: "Exact": supported values: "NotOlderThan"]'))
    add(Case("sendInitialEvents on a list", "GET", CM + "?sendInitialEvents=true", 422, "Invalid",
             message='ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is '
                     'forbidden for list'))

    # --- patch ----------------------------------------------------------------------------------------
    patch = js({"data": {"a": "b"}})
    add(Case("PATCH with text/plain", "PATCH", CM + "/cm", 415, "UnsupportedMediaType", patch, "text/plain",
             prefix=UNKNOWN_FORMAT))
    add(Case("PATCH with application/json", "PATCH", CM + "/cm", 415, "UnsupportedMediaType", patch, J,
             prefix=UNKNOWN_FORMAT))
    add(Case("PATCH without Content-Type", "PATCH", CM + "/cm", 415, "UnsupportedMediaType", patch, None,
             prefix=UNKNOWN_FORMAT))
    add(Case("malformed merge patch", "PATCH", CM + "/cm", 400, "BadRequest", '{"data": {"a": ', MERGE))
    add(Case("merge patch with trailing garbage", "PATCH", CM + "/cm", 400, "BadRequest", patch + "}}", MERGE))
    add(Case("merge patch giving labels the wrong type", "PATCH", CM + "/cm", 422, "Invalid",
             js({"metadata": {"labels": "notamap"}}), MERGE))
    add(Case("merge patch of a missing object", "PATCH", CM + "/missing", 404, "NotFound", patch, MERGE,
             message='configmaps "missing" not found'))
    add(Case("PATCH with a fieldManager of 20,000 control bytes", "PATCH",
             CM + "/cm?fieldManager=" + "%01" * 20000, 422, "Invalid", patch, MERGE,
             message='PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than '
                     '128 bytes'))

    # --- content type ---------------------------------------------------------------------------------
    add(Case("POST with text/plain", "POST", CM, 415, "UnsupportedMediaType", js(cm_json("ctplain")), "text/plain",
             prefix=UNKNOWN_FORMAT))
    add(Case("POST with application/xml", "POST", CM, 415, "UnsupportedMediaType", "<ConfigMap/>", "application/xml",
             prefix=UNKNOWN_FORMAT))
    add(Case("PUT with text/plain", "PUT", CM + "/cm", 415, "UnsupportedMediaType", js(cm_json("cm")), "text/plain",
             prefix=UNKNOWN_FORMAT))

    # --- missing objects, preconditions, delete bodies (deletes last: a wrong answer may remove cm) --------
    add(Case("PUT without resourceVersion for a missing object", "PUT", CM + "/missing", 404, "NotFound",
             cm_json("missing"), message='configmaps "missing" not found',
             details={"name": "missing", "kind": "configmaps"}))
    add(Case("DELETE of a missing object", "DELETE", CM + "/missing", 404, "NotFound",
             message='configmaps "missing" not found', details={"name": "missing", "kind": "configmaps"}))
    add(Case("PUT with an empty body", "PUT", CM + "/cm", 400, "BadRequest", "", J))
    add(Case("bad percent-encoding in the path", "GET", CM + "/%zz", 400, "BadRequest"))
    add(Case("DELETE with a malformed body", "DELETE", CM + "/cm", 400, "BadRequest", "{not json", J))
    add(Case("DELETE with a wrong uid precondition", "DELETE", CM + "/cm", 409, "Conflict",
             {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}},
             contains='Operation cannot be fulfilled on configmaps "cm": Precondition failed: UID in precondition: '
                      '00000000-0000-0000-0000-000000000000'))
    add(Case("DELETE on an all-namespaces list", "DELETE", "/api/v1/configmaps", 405, "MethodNotAllowed",
             message=NOT_ALLOWED))
    return c


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KactorServer(label="bad-input",
                                  config_overrides={"apiServer": {"requestTimeoutSeconds": REQUEST_TIMEOUT}})
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.c = cls.server.client()
        cls.c.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        cls.cm = cls.c.create(CM, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"a": "b"}},
                                   "data": {"k": "v"}})
        # A restart makes resourceVersion 1 older than the watch history.
        cls.server.restart()
        cls.before = cls.quiet_dump()

    @classmethod
    def dump(cls):
        """{list path: (list resourceVersion, {(namespace, name): object})} over every served type."""
        out = {}
        for path, kind in ALL_LISTS:
            body = cls.c.list(path)
            if body.get("kind") != kind + "List":
                raise AssertionError("GET %s: kind %r" % (path, body.get("kind")))
            objs = {(i["metadata"].get("namespace", ""), i["metadata"]["name"]): i for i in body["items"]}
            out[path] = (body["metadata"]["resourceVersion"], objs)
        return out

    @classmethod
    def quiet_dump(cls, settle=2.0, limit=20.0):
        """A dump taken once two dumps `settle` seconds apart agree (start-up work finished)."""
        deadline = time.monotonic() + limit
        prev = cls.dump()
        while True:
            time.sleep(settle)
            cur = cls.dump()
            if cur == prev:
                return cur
            if time.monotonic() > deadline:
                raise AssertionError("kactor keeps writing while idle; the store-unchanged check needs a quiet "
                                     "server. Changes: %s" % diff_dumps(prev, cur))
            prev = cur

    def test_1_http_cases(self):
        cases = http_cases()
        self.assertGreaterEqual(len(cases), 60)
        self.assertEqual(len({c.name for c in cases}), len(cases), "case names must be distinct")
        for case in cases:
            with self.subTest(case=case.name):
                r = self.c.request(case.method, case.path, case.body, case.ctype, case.headers, timeout=case.timeout)
                problems = status_problems(r, case.code, case.reason, case.message, case.contains, case.prefix,
                                           case.details, case.cause_field)
                if problems:
                    self.fail("%s: %s %s\n  problems: %s\n  got: %s" % (case.name, case.method, case.path[:200],
                                                                        "; ".join(problems), r.describe()))

    def test_2_watch_from_too_old_resource_version(self):
        ws = WatchStream(self.server.port, CM + "?watch=true&resourceVersion=1")
        self.addCleanup(ws.close)
        ok, desc = is_expired_watch(ws)
        self.assertTrue(ok, "watch from resourceVersion=1 after a restart: expected 410 Expired, got %s" % desc)
        ws = WatchStream(self.server.port, "/api/v1/pods?watch=true&resourceVersion=1&labelSelector=" + q("a=b"))
        self.addCleanup(ws.close)
        ok, desc = is_expired_watch(ws)
        self.assertTrue(ok, "all-namespaces watch from resourceVersion=1: expected 410 Expired, got %s" % desc)

    def test_3_body_too_large(self):
        big = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"k":"' + \
              b"a" * (3 * 1024 * 1024) + b'"}}'
        r = self.c.post(CM, big, J, timeout=30)
        self.assertEqual(status_problems(r, 413, "RequestEntityTooLarge", contains="Request entity too large"), [],
                         "POST with a %d-byte body: %s" % (len(big), r.describe()))
        # The same over chunked transfer encoding (no Content-Length).
        head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" % (CM, HOST, self.server.port)).encode()
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 65536]), big[i:i + 65536])
                          for i in range(0, len(big), 65536)) + b"0\r\n\r\n"
        r = raw_exchange(self.server.port, head + chunks, timeout=30, method="POST", path=CM + " (chunked)",
                         require_response=True)
        self.assertEqual(status_problems(r, 413, "RequestEntityTooLarge"), [],
                         "chunked POST with a %d-byte body: %s" % (len(big), r.describe()))

    def _raw(self, what, data, code=400, reason="BadRequest", timeout=10):
        r = raw_exchange(self.server.port, data, timeout=timeout, method="RAW", path=what)
        self.assertIsNotNone(r, "%s: connection closed without a response (expected HTTP %d)" % (what, code))
        problems = status_problems(r, code, reason)
        self.assertEqual(problems, [], "%s: %r -> %s" % (what, data[:120], r.describe()))

    def test_4_malformed_http(self):
        cases = [
            ("request line that is not HTTP", b"HELLO WORLD\r\n\r\n"),
            ("binary garbage", bytes(range(1, 32)) + b"\r\n\r\n"),
            ("request line without a version", b"GET /healthz\r\n\r\n"),
            ("header line without a colon", b"GET /healthz HTTP/1.1\r\nHost: x\r\nBadHeader\r\n\r\n"),
            ("non-numeric Content-Length",
             ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}" % CM).encode()),
            ("bad chunk size",
             ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              "zz\r\n{}\r\n0\r\n\r\n" % CM).encode()),
        ]
        for what, data in cases:
            with self.subTest(case=what):
                self._raw(what, data)
        r = self.c.get("/healthz")
        self.assertEqual(r.status, 200, "healthz after malformed HTTP: %s" % r.describe())

    def test_5_slow_client_gets_408(self):
        """Headers sent one byte per second: 408 after the 2 s request timeout; meanwhile other
        clients are served."""
        for what, first, slow in (
                ("slow headers", b"", b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n"),
                ("slow body", ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: 60\r\n\r\n" % CM).encode(), js(cm_json("slowbody")).encode()[:60])):
            with self.subTest(case=what):
                sock = socket.create_connection((HOST, self.server.port), timeout=5)
                stop = threading.Event()

                def trickle():
                    try:
                        if first:
                            sock.sendall(first)
                        for b in slow:
                            if stop.wait(1.0):
                                return
                            sock.sendall(bytes([b]))
                    except OSError:
                        return  # the server answered and closed: expected

                t = threading.Thread(target=trickle, daemon=True)
                t0 = time.monotonic()
                t.start()
                try:
                    # Other clients are not blocked by the slow one.
                    time.sleep(0.5)
                    r = self.c.get("/healthz", timeout=3)
                    self.assertEqual(r.status, 200, "%s: healthz while a slow client is connected" % what)
                    reader = _Reader(sock)
                    deadline = t0 + REQUEST_TIMEOUT + 8
                    try:
                        resp = read_response(reader, deadline, "SLOW", what)
                    except (socket.timeout, EOFError) as e:
                        self.fail("%s: no 408 within %ds of connecting (%r, got %r)" %
                                  (what, REQUEST_TIMEOUT + 8, e, bytes(reader.buf[:300])))
                    elapsed = time.monotonic() - t0
                    self.assertEqual(status_problems(resp, 408, "Timeout"), [], "%s: %s" % (what, resp.describe()))
                    self.assertGreaterEqual(elapsed, REQUEST_TIMEOUT - 0.5,
                                            "%s: 408 came before the request timeout (%.1fs)" % (what, elapsed))
                finally:
                    stop.set()
                    sock.close()
                    t.join(timeout=5)

    def test_6_half_closed_connections(self):
        for what, data in (
                ("half a body then SHUT_WR",
                 ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                  '{"apiVersion":"v1","kind":' % CM).encode()),
                ("half the headers then SHUT_WR", ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Ty" % CM).encode()),
                ("request line only then SHUT_WR", b"GET /api/v1/namespaces HTTP/1.1\r\n")):
            with self.subTest(case=what):
                t0 = time.monotonic()
                r = raw_exchange(self.server.port, data, timeout=REQUEST_TIMEOUT + 8, method="RAW", path=what,
                                 shutdown_write=True)
                elapsed = time.monotonic() - t0
                if r is not None:
                    self.assertEqual(status_problems(r, 400, "BadRequest"), [],
                                     "%s: expected a 400 Status or a clean close, got %s" % (what, r.describe()))
                self.assertLess(elapsed, REQUEST_TIMEOUT,
                                "%s: the server must notice the half-close at once, not wait for the request "
                                "timeout (%.1fs)" % (what, elapsed))

    def test_7_big_yaml_bodies_do_not_stall_other_clients(self):
        """YAML parses slowly (~5 MB/s): two 2.5 MB bodies, as many as there are HTTP threads,
        once held both and every other client waited. Big bodies are decoded off those threads,
        so plain requests are answered while the two are still being parsed."""
        yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-yaml\ndata:\n" + "".join(
            "  key%06d: value-%06d-abcdefghijklmnopqrstuvwxyz\n" % (i, i) for i in range(47000))
        yaml += "  broken: [unclosed\n"  # found only after the whole document is scanned
        data = yaml.encode()
        head = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n"
                "Content-Length: %d\r\n\r\n" % (CM, len(data))).encode()
        answers = {}
        answered = threading.Event()

        def post(i):
            try:
                answers[i] = raw_exchange(self.server.port, head + data, timeout=60, method="POST",
                                          path="big YAML %d" % i, require_response=True)
            except Exception as e:  # reported below
                answers[i] = e
            answered.set()

        threads = [threading.Thread(target=post, args=(i,), daemon=True) for i in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.1)  # both bodies sent; their parses have begun
        gets_done_first = 0
        for _ in range(5):
            r = self.c.get("/api/v1/namespaces/%s" % NS, timeout=30)
            self.assertEqual(r.status, 200, r.describe())
            if not answered.is_set():
                gets_done_first += 1
        for t in threads:
            t.join(timeout=60)
        for i in range(2):
            r = answers.get(i)
            self.assertIsInstance(r, Response, "big YAML %d: %r" % (i, r))
            self.assertEqual(status_problems(r, 400, "BadRequest", contains="end of sequence flow not found"), [],
                             "big YAML %d: %s" % (i, r.describe()))
        self.assertEqual(gets_done_first, 5, "GETs had to wait for a big YAML body to be parsed")

    def test_9_server_alive_and_store_unchanged(self):
        r = self.c.get("/healthz")
        self.assertEqual(r.status, 200, "healthz after every bad request: %s" % r.describe())
        after = self.dump()
        self.assertEqual(diff_dumps(self.before, after), [], "the bad requests changed the store")
        got = self.c.read(CM + "/cm")
        self.assertEqual(got, self.before["/api/v1/configmaps"][1][(NS, "cm")])


def diff_dumps(before, after):
    out = []
    for path in sorted(set(before) | set(after)):
        brv, bobjs = before.get(path, (None, {}))
        arv, aobjs = after.get(path, (None, {}))
        if brv != arv:
            out.append("%s: list resourceVersion %s -> %s" % (path, brv, arv))
        for key in sorted(set(bobjs) | set(aobjs)):
            b, a = bobjs.get(key), aobjs.get(key)
            if b is None:
                out.append("%s: %s/%s created (rv %s)" % (path, key[0], key[1], a["metadata"].get("resourceVersion")))
            elif a is None:
                out.append("%s: %s/%s deleted" % (path, key[0], key[1]))
            elif a != b:
                out.append("%s: %s/%s changed (rv %s -> %s)" % (path, key[0], key[1], b["metadata"].get("resourceVersion"),
                                                               a["metadata"].get("resourceVersion")))
    return out


if __name__ == "__main__":
    main()
