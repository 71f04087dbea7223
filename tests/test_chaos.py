"""Chaos: a hostile client floods the server with slow queries and silent connections while
executors are killed under it, then an HTTP worker and finally `kg serve` itself are killed;
another client's point look-ups must keep answering quickly, and nothing may outlive the server."""

import collections
import http.client
import subprocess
import sys
import threading
import time

import psutil
import pytest
import requests

from kg.config import PROJECT_ROOT
from tests.supervision import POINT, Client, executors, served, tree_rss, wait_for_executors, workers

ATTACK_S = 15
SETTINGS = dict(query_timeout_s=3, query_processes=4, http_workers=2, max_client_queries=2, threads=16)


class Victim(threading.Thread):
    """Point look-ups back to back from 127.0.0.1; a request whose connection broke is tried
    again on a new connection (up to twice more, as HTTP clients with retries do) and counted as retried."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.latencies, self.failed, self.retried = [], [], 0

    def run(self):
        client = Client(self.url, "127.0.0.1", timeout=30)
        while not self.stop.is_set():
            t = time.monotonic()
            for attempt in (1, 2, 3):
                try:
                    status, body = client.query(POINT)
                    break
                except (OSError, http.client.HTTPException) as exc:
                    # a connection the kernel had queued on a worker killed that instant is reset:
                    # retried on a new one, after a moment, as clients with retries do
                    status, body = type(exc).__name__, b""
                    self.retried += attempt == 1
                    time.sleep(0.05)
            self.latencies.append(time.monotonic() - t)
            if status != 200 or b"Leon Trotsky" not in body:
                self.failed.append(status)
        client.close()

    def finish(self):
        self.stop.set()
        if self.is_alive():
            self.join()

    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[int(len(ordered) * 0.99)]


def dead(p: psutil.Process) -> bool:
    try:
        return p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def busiest(procs: list[psutil.Process]) -> psutil.Process:
    def cpu(p):
        try:
            return p.cpu_percent(None)
        except psutil.NoSuchProcess:
            return -1.0
    for p in procs:
        cpu(p)
    time.sleep(0.2)
    return max(procs, key=cpu)


def flood(url, main) -> tuple[Victim, collections.Counter, int, int]:
    """ATTACK_S seconds of a hostile client on 127.0.0.2, killing the busiest executor (one running
    its slow queries) every 2 s, while the victim looks up; (victim, attacker's answers, kills, peak RSS)."""
    outcomes = collections.Counter()
    victim = Victim(url)
    killed = peak_rss = 0
    reader = threading.Thread(target=lambda: outcomes.update(line.strip() for line in attacker.stdout), daemon=True)
    with subprocess.Popen([sys.executable, "-m", "tests.supervision", url, "127.0.0.2", "16", "1500"],
                          cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as attacker:
        try:
            first = [attacker.stdout.readline().strip()]
            while first[-1] not in ("attacking", ""):
                first.append(attacker.stdout.readline().strip())
            assert first[-1] == "attacking", first
            outcomes.update(first[:-1])
            reader.start()
            victim.start()
            deadline = time.monotonic() + ATTACK_S
            while time.monotonic() < deadline:
                time.sleep(1.8)
                try:
                    busiest(executors(main)).kill()
                    killed += 1
                except psutil.NoSuchProcess:
                    pass                          # it reached the time limit meanwhile
                peak_rss = max(peak_rss, tree_rss(main))
        finally:
            victim.finish()
            attacker.kill()
            attacker.wait()
            if reader.is_alive():
                reader.join(timeout=5)
    return victim, outcomes, killed, peak_rss


def test_point_lookups_survive_a_flood_kills_and_the_end_of_the_server(built_corpus):
    with served(built_corpus[0].data_dir, **SETTINGS) as (url, main):
        warm = Victim(url)
        warm.start()
        time.sleep(2)
        warm.finish()
        baseline_p99, baseline_rss = warm.p99(), tree_rss(main)

        victim, outcomes, killed, peak_rss = flood(url, main)
        time.sleep(3)
        wait_for_executors(main, 8)
        after_rss = tree_rss(main)
        print(f"\nattack: {ATTACK_S} s of 16 hostile clients and 1500 silent connections from 127.0.0.2, "
              f"{killed} executors killed; attacker's answers {dict(outcomes)}")
        print(f"victim: {len(victim.latencies)} point look-ups, p99 {victim.p99() * 1000:.1f} ms "
              f"(before the attack {baseline_p99 * 1000:.1f} ms), failed {len(victim.failed)}, "
              f"retried {victim.retried}")
        print(f"memory of the server's processes: {baseline_rss >> 20} MiB before, {peak_rss >> 20} MiB at peak, "
              f"{after_rss >> 20} MiB after")
        assert outcomes["503"] > 0 and outcomes["429"] > 0            # the attack was real, and refused
        assert len(victim.latencies) > 100
        assert victim.failed == [] and victim.retried == 0
        assert victim.p99() < 1.0
        # executors that replaced killed ones page the store in anew, so the margin has a fixed part too;
        # a leak per connection or per killed executor (1500 connections, dozens of kills) exceeds it
        assert after_rss < baseline_rss * 1.25 + (64 << 20)

        # an HTTP worker killed outright: respawned; only requests in flight on it may need a retry
        victim = Victim(url)
        victim.start()
        time.sleep(0.5)
        old = workers(main)[0]
        t = time.monotonic()
        old.kill()
        while time.monotonic() - t < 20 and not (
                old.pid not in {w.pid for w in workers(main)} and len(workers(main)) == 2
                and len(executors(main)) == 8):
            time.sleep(0.05)
        back = time.monotonic() - t
        time.sleep(0.5)
        victim.finish()
        print(f"HTTP worker killed: back with its executors in {back * 1000:.0f} ms; victim p99 "
              f"{victim.p99() * 1000:.1f} ms, failed {len(victim.failed)}, retried {victim.retried}")
        assert victim.failed == [] and victim.p99() < 1.0

        # `kg serve` killed outright: nothing of it stays, nothing answers
        tree = main.children(recursive=True)
        t = time.monotonic()
        main.kill()
        while not all(dead(p) for p in tree) and time.monotonic() - t < 5:
            time.sleep(0.005)
        ended = time.monotonic() - t
        gone, alive = psutil.wait_procs(tree, timeout=5)          # and reaped by init
        print(f"kg serve killed: its {len(tree)} processes ended within {ended * 1000:.0f} ms, "
              f"reaped within {(time.monotonic() - t) * 1000:.0f} ms")
        assert alive == []
        with pytest.raises(requests.ConnectionError):
            requests.get(url + "/-/version", timeout=2)
