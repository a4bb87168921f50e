#!/usr/bin/env python3
"""kactor end to end: every manifest in examples/ (the user's notes) whose kind kactor serves is
created as written, from its YAML, and reads back with the notes' names and values.

Run: python3 tests/e2e/test_examples.py --kactor build/kactor
"""

import os
import re
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kactor_fixture import KactorServer, main  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")

# apiVersion/kind -> (path prefix, plural, namespaced) for the kinds served today.
SERVED = {
    ("v1", "Namespace"): ("/api/v1", "namespaces", False),
    ("v1", "Pod"): ("/api/v1", "pods", True),
    ("v1", "Service"): ("/api/v1", "services", True),
    ("v1", "Endpoints"): ("/api/v1", "endpoints", True),
    ("v1", "ConfigMap"): ("/api/v1", "configmaps", True),
    ("v1", "Secret"): ("/api/v1", "secrets", True),
    ("v1", "ReplicationController"): ("/api/v1", "replicationcontrollers", True),
    ("apps/v1", "Deployment"): ("/apis/apps/v1", "deployments", True),
}


def documents(text):
    """Splits a multi-document YAML stream on `---` lines."""
    return [d for d in re.split(r"^---[ \t]*$", text, flags=re.M) if d.strip()]


def top_level(doc, key):
    m = re.search(r"^%s:[ \t]*(\S+)" % re.escape(key), doc, flags=re.M)
    return m.group(1).strip("'\"") if m else None


def metadata_value(doc, key):
    m = re.search(r"^metadata:\s*\n((?:[ \t]+.*\n?|\s*#.*\n?)+)", doc, flags=re.M)
    if not m:
        return None
    inner = re.search(r"^  %s:[ \t]*(\S+)" % re.escape(key), m.group(1), flags=re.M)
    return inner.group(1).strip("'\"") if inner else None


class ExamplesTest(unittest.TestCase):
    def test_served_examples_create_as_written(self):
        server = KactorServer(label="examples")
        self.addCleanup(server.close)
        server.start()
        c = server.client()
        created, skipped = [], []
        files = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".yaml"))
        self.assertGreater(len(files), 10, "examples/ holds the notes' manifests")
        # Namespaces first: other examples may live in them.
        docs = []
        for f in files:
            with open(os.path.join(EXAMPLES, f)) as stream:
                docs += [(f, d) for d in documents(stream.read())]
        docs.sort(key=lambda fd: top_level(fd[1], "kind") != "Namespace")
        for name, doc in docs:
            key = (top_level(doc, "apiVersion"), top_level(doc, "kind"))
            if key not in SERVED:
                skipped.append("%s (%s)" % (name, key[1]))
                continue
            prefix, plural, namespaced = SERVED[key]
            ns = metadata_value(doc, "namespace") or "default"
            path = "%s/namespaces/%s/%s" % (prefix, ns, plural) if namespaced else "%s/%s" % (prefix, plural)
            obj = c.create(path, doc.encode(), content_type="application/yaml")
            self.assertEqual(obj["kind"], key[1], name)
            self.assertEqual(obj["metadata"]["name"], metadata_value(doc, "name"), name)
            item = path + "/" + obj["metadata"]["name"]
            self.assertEqual(c.read(item)["metadata"]["uid"], obj["metadata"]["uid"], name)
            created.append("%s %s" % (key[1], obj["metadata"]["name"]))
        print("created: %s\nnot served yet: %s" % (", ".join(created), ", ".join(skipped)))
        for expected in ("ReplicationController mysql", "Service mysql", "Deployment nginx-deployment",
                         "ConfigMap cm-appvars", "ConfigMap cm-appconfigfiles", "Namespace development",
                         "Secret mysecret", "Pod test-emptypath"):
            self.assertIn(expected, created)
        rc = c.read("/api/v1/namespaces/default/replicationcontrollers/mysql")
        self.assertEqual(rc["spec"]["template"]["spec"]["containers"][0]["env"][0],
                         {"name": "MYSQL_ROOT_PASSWORD", "value": "123456"})
        cm = c.read("/api/v1/namespaces/default/configmaps/cm-appconfigfiles")
        self.assertEqual(cm["data"]["key-loggingproperties"], "a=1\r\n\r\nb=2\r\n\r\n")


if __name__ == "__main__":
    main()
