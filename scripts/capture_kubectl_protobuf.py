#!/usr/bin/env python3
"""Captures the protobuf request bodies real kubectl sends, as test data for api/protobuf.cpp.

Usage (from anywhere):
    python3 scripts/capture_kubectl_protobuf.py [output dir]

The default output is tests/api/testdata. A small HTTP server on 127.0.0.1 (free port) answers
/version (minor 32), legacy discovery and the GETs kubectl needs, and records every POST body.
Each capture runs one kubectl command twice with HOME and KUBECACHEDIR in a temporary dir:
once for real (the body is saved as <name>.pb) and once with `--dry-run=client -o json` (the
object kubectl built, saved as <name>.json: the JSON the protobuf body encodes). Commands that
have no dry-run form get no .json; their expected objects are written by hand in the test.
"""

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

KUBECTL = {
    "1.32": "/usr/lib/google-cloud-sdk/bin/kubectl.1.32",
    "1.33": "/usr/lib/google-cloud-sdk/bin/kubectl.1.33",
}
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

# group/version -> [(plural, kind, namespaced, short names, subresources)]
RESOURCES = {
    "v1": [
        ("configmaps", "ConfigMap", True, ["cm"], []),
        ("secrets", "Secret", True, [], []),
        ("namespaces", "Namespace", False, ["ns"], ["status"]),
        ("serviceaccounts", "ServiceAccount", True, ["sa"], ["token"]),
        ("services", "Service", True, ["svc"], ["status"]),
        ("resourcequotas", "ResourceQuota", True, ["quota"], ["status"]),
        ("pods", "Pod", True, ["po"], ["status"]),
    ],
    "apps/v1": [("deployments", "Deployment", True, ["deploy"], ["scale", "status"])],
    "batch/v1": [
        ("jobs", "Job", True, [], ["status"]),
        ("cronjobs", "CronJob", True, ["cj"], ["status"]),
    ],
    "autoscaling/v2": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True, ["hpa"], [])],
    "autoscaling/v1": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True, ["hpa"], [])],
    "rbac.authorization.k8s.io/v1": [
        ("roles", "Role", True, [], []),
        ("rolebindings", "RoleBinding", True, [], []),
        ("clusterroles", "ClusterRole", False, [], []),
        ("clusterrolebindings", "ClusterRoleBinding", False, [], []),
    ],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"], ["status"])],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True, ["ing"], ["status"])],
}

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "7"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
        },
    },
}

# (file name, kubectl version, arguments, has a dry-run form)
CAPTURES = [
    ("configmap_literal", "1.32", ["create", "configmap", "c", "--from-literal=a=1", "--from-literal=b=two words"], True),
    ("configmap_file", "1.32", ["create", "configmap", "cf", "--from-file={files}/app.properties", "--from-file=bin={files}/blob.bin"], True),
    ("configmap_dir", "1.32", ["create", "configmap", "cd", "--from-file={files}/dir"], True),
    ("configmap_env", "1.32", ["create", "configmap", "ce", "--from-env-file={files}/env.txt"], True),
    ("secret_generic", "1.32", ["create", "secret", "generic", "s", "--from-literal=user=admin", "--from-literal=bin=\x01\x02\udcff\udcfe", "--from-file=key={files}/blob.bin", "--type=Opaque"], True),
    ("secret_docker_registry", "1.32", ["create", "secret", "docker-registry", "reg", "--docker-server=r.example.com", "--docker-username=u", "--docker-password=p", "--docker-email=u@example.com"], True),
    ("namespace", "1.32", ["create", "namespace", "team-a"], True),
    ("serviceaccount", "1.32", ["create", "serviceaccount", "robot"], True),
    ("deployment", "1.32", ["create", "deployment", "web", "--image=nginx"], True),
    ("deployment_replicas0", "1.32", ["create", "deployment", "zero", "--image=nginx", "--replicas=0"], True),
    ("deployment_replicas3_port", "1.32", ["create", "deployment", "three", "--image=nginx:1.27", "--replicas=3", "--port=8080", "--", "sleep", "3600"], True),
    ("deployment_two_images", "1.32", ["create", "deployment", "two", "--image=nginx", "--image=busybox:1.36"], True),
    ("service_clusterip", "1.32", ["create", "service", "clusterip", "svc", "--tcp=80:8080", "--tcp=443"], True),
    ("service_clusterip_none", "1.32", ["create", "service", "clusterip", "headless", "--clusterip=None"], True),
    ("service_nodeport", "1.32", ["create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"], True),
    ("service_loadbalancer", "1.32", ["create", "service", "loadbalancer", "lb", "--tcp=443:8443"], True),
    ("service_externalname", "1.32", ["create", "service", "externalname", "ext", "--external-name=example.com"], True),
    ("job", "1.32", ["create", "job", "once", "--image=busybox", "--", "echo", "hi"], True),
    ("cronjob", "1.32", ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--restart=OnFailure", "--", "date"], True),
    ("role", "1.32", ["create", "role", "reader", "--verb=get,list", "--verb=watch", "--resource=pods,deployments.apps", "--resource=configmaps", "--resource-name=x"], True),
    ("rolebinding", "1.32", ["create", "rolebinding", "rb", "--role=reader", "--user=alice", "--group=devs", "--serviceaccount=default:robot"], True),
    ("clusterrole", "1.32", ["create", "clusterrole", "cr", "--verb=get", "--non-resource-url=/logs/*"], True),
    ("clusterrolebinding", "1.32", ["create", "clusterrolebinding", "crb", "--clusterrole=cr", "--user=bob"], True),
    ("quota", "1.32", ["create", "quota", "q", "--hard=cpu=1,memory=1Gi,pods=10,requests.storage=500m", "--scopes=BestEffort"], True),
    ("pdb_min", "1.32", ["create", "pdb", "pdb", "--selector=app=web", "--min-available=1"], True),
    ("pdb_max_percent", "1.32", ["create", "pdb", "pdbp", "--selector=app=web", "--max-unavailable=25%"], True),
    ("pdb_min_zero", "1.32", ["create", "pdb", "pdb0", "--selector=app=web", "--min-available=0"], True),
    ("ingress", "1.32", ["create", "ingress", "ing", "--class=nginx", "--rule=foo.com/path*=svc:8080", "--rule=bar.com/=svc2:http,tls=cert", "--annotation=a=b", "--default-backend=defsvc:80"], True),
    ("token", "1.32", ["create", "token", "robot", "--duration=10m", "--audience=api"], False),
    ("autoscale_v1", "1.32", ["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80"], True),
    ("autoscale_v2", "1.33", ["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80"], True),
    ("autoscale_v2_max_only", "1.33", ["autoscale", "deployment", "web", "--max=3", "--name=web-hpa"], True),
]


def resource_list(group_version):
    resources = []
    for plural, kind, namespaced, short, subs in RESOURCES[group_version]:
        resources.append({"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
                          "verbs": ALL_VERBS, "shortNames": short})
        for sub in subs:
            sub_kind = {"scale": "Scale", "token": "TokenRequest"}.get(sub, kind)
            extra = {"group": "autoscaling", "version": "v1"} if sub == "scale" else {}
            if sub == "token":
                extra = {"group": "authentication.k8s.io", "version": "v1"}
            resources.append({"name": f"{plural}/{sub}", "singularName": "", "namespaced": namespaced,
                              "kind": sub_kind, "verbs": ["create", "get", "patch", "update"], **extra})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}


def group_list():
    groups = {}
    for gv in RESOURCES:
        if "/" not in gv:
            continue
        group, version = gv.split("/")
        entry = groups.setdefault(group, {"name": group, "versions": []})
        entry["versions"].append({"groupVersion": gv, "version": version})
    for entry in groups.values():
        entry["preferredVersion"] = entry["versions"][0]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": list(groups.values())}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []
        self.log = []


def make_handler(recorder):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, obj):
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?")[0]
            with recorder.lock:
                recorder.log.append(("GET", self.path, self.headers.get("Accept", "")))
            if path == "/version":
                return self.reply(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0",
                                        "gitCommit": "0" * 40, "gitTreeState": "clean",
                                        "buildDate": "2024-12-01T00:00:00Z", "goVersion": "go1.23.4",
                                        "compiler": "gc", "platform": "linux/amd64"})
            if path == "/api":
                return self.reply(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
            if path == "/apis":
                return self.reply(200, group_list())
            if path == "/api/v1":
                return self.reply(200, resource_list("v1"))
            if path.startswith("/apis/") and path.count("/") == 3:
                gv = path[len("/apis/"):]
                if gv in RESOURCES:
                    return self.reply(200, resource_list(gv))
            if path == "/apis/apps/v1/namespaces/default/deployments/web":
                return self.reply(200, DEPLOYMENT)
            return self.reply(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": "the server could not find the requested resource",
                                    "reason": "NotFound", "code": 404})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            content_type = self.headers.get("Content-Type", "")
            with recorder.lock:
                recorder.log.append(("POST", self.path, content_type))
                recorder.posts.append((self.path, content_type, body))
            if self.path.endswith("/token"):
                return self.reply(201, {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                                        "metadata": {"name": "robot"}, "spec": {"audiences": ["api"]},
                                        "status": {"token": "t", "expirationTimestamp": "2030-01-01T00:00:00Z"}})
            segments = self.path.split("?")[0].strip("/").split("/")
            plural = segments[-1]
            kind = next((k for rs in RESOURCES.values() for p, k, *_ in rs if p == plural), "Unknown")
            api_version = "v1" if segments[0] == "api" else "/".join(segments[1:3])
            return self.reply(201, {"apiVersion": api_version, "kind": kind,
                                    "metadata": {"name": "created", "namespace": "default"}})

    return Handler


def write_files(files):
    os.makedirs(os.path.join(files, "dir"))
    with open(os.path.join(files, "app.properties"), "w") as f:
        f.write("color=blue\nsize=10\n")
    with open(os.path.join(files, "blob.bin"), "wb") as f:
        f.write(bytes([0, 1, 2, 0xFF, 0xFE, 0x80]) + b"tail")
    with open(os.path.join(files, "dir", "one.txt"), "w") as f:
        f.write("first\n")
    with open(os.path.join(files, "dir", "two.json"), "w") as f:
        f.write('{"k": [1, 2]}\n')
    with open(os.path.join(files, "env.txt"), "w") as f:
        f.write("# comment\nMODE=prod\nEMPTY=\n")


def run_kubectl(version, args, home, port):
    env = dict(os.environ, HOME=home, KUBECACHEDIR=os.path.join(home, "cache"))
    command = [KUBECTL[version], "--server", f"http://127.0.0.1:{port}", *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=60)


def capture(name, version, args, has_dry_run, out_dir, files, home, port, recorder):
    args = [a.replace("{files}", files) for a in args]
    dashdash = args.index("--") if "--" in args else len(args)
    with recorder.lock:
        recorder.posts.clear()
    result = run_kubectl(version, args, home, port)
    if result.returncode != 0 or len(recorder.posts) != 1:
        print(f"{name}: kubectl failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
        return None
    path, content_type, body = recorder.posts[0]
    with open(os.path.join(out_dir, name + ".pb"), "wb") as f:
        f.write(body)
    entry = {"name": name, "kubectl": version, "args": args, "path": path, "contentType": content_type}
    if has_dry_run:
        dry = args[:dashdash] + ["--dry-run=client", "-o", "json"] + args[dashdash:]
        result = run_kubectl(version, dry, home, port)
        if result.returncode != 0:
            print(f"{name}: dry run failed: {result.stderr.decode(errors='replace')}")
        else:
            with open(os.path.join(out_dir, name + ".json"), "wb") as f:
                f.write(result.stdout)
    print(f"{name}: {len(body)} bytes to {path} ({content_type})")
    return entry


def main():
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo_root, "tests", "api", "testdata")
    os.makedirs(out_dir, exist_ok=True)
    recorder = Recorder()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(recorder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    home = tempfile.mkdtemp(prefix="kactor-capture-")
    try:
        files = os.path.join(home, "files")
        write_files(files)
        manifest = []
        for name, version, args, has_dry_run in CAPTURES:
            entry = capture(name, version, args, has_dry_run, out_dir, files, home, port, recorder)
            if entry:
                entry["args"] = [a.replace(files, "FILES") for a in entry["args"]]
                manifest.append(entry)
        with open(os.path.join(out_dir, "captures.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
    finally:
        server.shutdown()
        shutil.rmtree(home)


if __name__ == "__main__":
    main()
