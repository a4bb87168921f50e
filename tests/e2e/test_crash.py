#!/usr/bin/env python3
"""kactor end to end: nothing acknowledged is lost on kill -9.

32 client threads create ConfigMaps as fast as they can and record every acknowledged (201)
name with its resourceVersion and uid. After ~2.5 s the server is killed with SIGKILL and
restarted on the same data directory. Every acknowledged object must then exist with the
acknowledged resourceVersion and uid, acknowledged resourceVersions must be unique, and a new
write must get a resourceVersion above every one seen before (no reuse). Three kill cycles.

Run: python3 tests/e2e/test_crash.py --kactor build/kactor
"""

import http.client
import json
import os
import random
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/e2e free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kactor_fixture import HOST, KactorServer, main, q, rv_of  # noqa: E402

THREADS = 32
LOAD_SECONDS = float(os.environ.get("KACTOR_E2E_CRASH_SECONDS", "2.5"))
CYCLES = 3
NS = "default"
COLLECTION = "/api/v1/namespaces/%s/configmaps" % NS


class Writer(threading.Thread):
    def __init__(self, port, cycle, tid, killed, stop):
        super().__init__(name="writer-%d-%d" % (cycle, tid), daemon=True)
        self.port, self.cycle, self.tid = port, cycle, tid
        self.killed, self.stop = killed, stop
        self.acked = []        # (name, rv, uid)
        self.unexpected = []   # (name, status, body) for answers other than 201 / 429
        self.early_error = None  # a connection error before the kill
        self.sent = 0

    def run(self):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=20)
        i = 0
        try:
            while not self.stop.is_set():
                name = "crash-c%d-t%02d-%06d" % (self.cycle, self.tid, i)
                i += 1
                body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": name, "labels": {"e2e-crash": "c%d" % self.cycle}},
                                   "data": {"thread": str(self.tid), "seq": str(i), "pad": "x" * 64}})
                try:
                    self.sent += 1
                    conn.request("POST", COLLECTION, body, {"Content-Type": "application/json",
                                                            "Accept": "application/json"})
                    resp = conn.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException) as e:
                    if not self.killed.is_set():
                        self.early_error = "%s: %r" % (name, e)
                    return
                if resp.status == 201:
                    obj = json.loads(data)
                    md = obj["metadata"]
                    if md.get("name") != name:
                        self.unexpected.append((name, resp.status, "acknowledged with name %r" % md.get("name")))
                    self.acked.append((name, int(md["resourceVersion"]), md["uid"]))
                elif resp.status == 429:
                    time.sleep(0.01)  # max-in-flight throttling is allowed; not an acknowledgement
                else:
                    self.unexpected.append((name, resp.status, data[:300]))
                    if len(self.unexpected) > 20:
                        return
        finally:
            conn.close()


def list_all(client, path):
    """Every item of a (possibly large) collection, following continue tokens."""
    items = []
    token = None
    list_rv = None
    while True:
        url = path + "?limit=5000" + ("&continue=" + q(token) if token else "")
        body = client.expect(client.get(url, timeout=120), 200, "list configmaps")
        if list_rv is None:
            list_rv = int(body["metadata"]["resourceVersion"])
        items += body["items"]
        token = body["metadata"].get("continue")
        if not token:
            return items, list_rv


class CrashTest(unittest.TestCase):
    def test_kill9_loses_nothing_acknowledged(self):
        server = KactorServer(label="crash")
        self.addCleanup(server.close)
        server.start()
        client = server.client()
        acked = {}  # name -> (rv, uid), over all cycles
        max_seen_rv = 0
        for cycle in range(CYCLES):
            killed, stop = threading.Event(), threading.Event()
            writers = [Writer(server.port, cycle, t, killed, stop) for t in range(THREADS)]
            t0 = time.monotonic()
            for w in writers:
                w.start()
            time.sleep(LOAD_SECONDS)
            self.assertTrue(server.running(), "kactor died under load (cycle %d)" % cycle)
            killed.set()
            server.kill9()
            stop.set()
            for w in writers:
                w.join(timeout=60)
                self.assertFalse(w.is_alive(), "writer %s did not finish after the kill" % w.name)
            elapsed = time.monotonic() - t0

            early = [w.early_error for w in writers if w.early_error]
            self.assertEqual(early, [], "cycle %d: request errors before the kill" % cycle)
            unexpected = [u for w in writers for u in w.unexpected]
            self.assertEqual(unexpected, [], "cycle %d: answers other than 201/429" % cycle)
            cycle_acks = [a for w in writers for a in w.acked]
            sys.stderr.write("cycle %d: %d creates acknowledged of %d sent in %.1fs\n" %
                             (cycle, len(cycle_acks), sum(w.sent for w in writers), elapsed))
            self.assertGreater(len(cycle_acks), 0, "cycle %d: no create was acknowledged" % cycle)
            for name, rv, uid in cycle_acks:
                self.assertNotIn(name, acked, "name acknowledged twice: %s" % name)
                acked[name] = (rv, uid)
            rvs = [rv for rv, _ in acked.values()]
            dups = len(rvs) - len(set(rvs))
            self.assertEqual(dups, 0, "%d acknowledged resourceVersions were handed out twice" % dups)
            max_seen_rv = max([max_seen_rv] + rvs)

            server.start()  # same data dir
            items, list_rv = list_all(client, COLLECTION)
            stored = {i["metadata"]["name"]: (int(i["metadata"]["resourceVersion"]), i["metadata"]["uid"])
                      for i in items}
            missing = [n for n in acked if n not in stored]
            changed = [(n, acked[n], stored[n]) for n in acked if n in stored and stored[n] != acked[n]]
            self.assertEqual(missing[:20], [], "cycle %d: %d of %d acknowledged objects lost after kill -9" %
                             (cycle, len(missing), len(acked)))
            self.assertEqual(changed[:20], [], "cycle %d: %d acknowledged objects changed (name, acked (rv, uid), "
                             "stored (rv, uid))" % (cycle, len(changed)))
            item_max = max(rv for rv, _ in stored.values())
            self.assertGreaterEqual(list_rv, item_max, "list resourceVersion below an item's resourceVersion")
            max_seen_rv = max(max_seen_rv, item_max, list_rv)

            # Spot checks through GET.
            sample = random.sample(sorted(acked), min(200, len(acked)))
            for w in writers:
                if w.acked:
                    sample.append(w.acked[-1][0])  # the last acknowledgement of every thread
            for name in sample:
                obj = client.read(COLLECTION + "/" + name)
                self.assertEqual((rv_of(obj), obj["metadata"]["uid"]), acked[name], "GET %s after restart" % name)

            # No resourceVersion reuse after the crash.
            probe = client.create(COLLECTION, {"apiVersion": "v1", "kind": "ConfigMap",
                                               "metadata": {"name": "crash-probe-%d" % cycle}})
            self.assertGreater(rv_of(probe), max_seen_rv,
                               "cycle %d: first write after restart reused a resourceVersion" % cycle)
            max_seen_rv = rv_of(probe)
            upd = client.expect(client.patch(COLLECTION + "/crash-probe-%d" % cycle, {"data": {"a": "b"}}), 200,
                                "patch probe")
            self.assertGreater(rv_of(upd), max_seen_rv)
            max_seen_rv = rv_of(upd)

        rc, how = server.stop()
        self.assertEqual((rc, how), (0, "SIGTERM"), "final SIGTERM stop")


if __name__ == "__main__":
    main()
