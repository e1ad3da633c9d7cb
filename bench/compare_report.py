#!/usr/bin/env python3
"""Turns the raw RESULT lines of bench/compare.sh into a markdown report:
medians per figure, client ratios (zkpp / C) and server ratios
(zkpp-server / ZooKeeper), callgrind instructions per getData, peak RSS,
and the targets of issue 8 checked against the measured medians."""

import argparse
import os
import platform
import statistics
from collections import defaultdict


def parse_tokens(line):
    out = {}
    for token in line.split():
        if "=" in token:
            key, value = token.split("=", 1)
            out[key] = value
    return out


def load_runs(path):
    groups = defaultdict(list)
    with open(path) as f:
        for line in f:
            t = parse_tokens(line)
            if "ops_per_s" not in t:
                continue
            key = (t["op"], int(t["window"]), int(t["clients"]), int(t["size"]), t["server"], t["client"])
            groups[key].append(t)
    return groups


def median(runs, field):
    return statistics.median(float(r[field]) for r in runs)


def suspect(runs):
    """True when a run of the figure had errors, stopped early or failed."""
    return any(r["errors"] != "0" or r["truncated"] != "0" or r["rc"] != "0" for r in runs)


def fmt_rate(runs):
    if not runs:
        return "–"
    return f"{median(runs, 'ops_per_s'):,.0f}" + (" †" if suspect(runs) else "")


def fmt_us(runs, field):
    return f"{median(runs, field):,.0f}" if runs else "–"


def ratio(a, b, field="ops_per_s"):
    if not a or not b or median(b, field) == 0:
        return None
    return median(a, field) / median(b, field)


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def configs(groups):
    return sorted({k[:4] for k in groups}, key=lambda k: (["get", "set", "syncget", "create", "delete"].index(k[0])
                                                        if k[0] in ("get", "set", "syncget", "create", "delete")
                                                        else 9, k[1], k[2], k[3]))


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


# How idle CPUs wait for work. One-request-at-a-time rows are mostly wake-ups
# of idle CPUs; in a VM guest that halts at once (guest_halt_poll_ns 0), each
# costs a VM exit and entry, tens of microseconds.
def idle_line():
    driver = read_text("/sys/devices/system/cpu/cpuidle/current_driver")
    if not driver:
        return None
    line = f"- Idle CPUs: cpuidle driver {driver}"
    poll_ns = read_text("/sys/module/haltpoll/parameters/guest_halt_poll_ns")
    if poll_ns is not None:
        line += f", guest_halt_poll_ns={poll_ns}"
        if poll_ns == "0":
            line += " (an idle vCPU halts to the host at once, so waking it goes through the host)"
    return line


def machine_lines(args):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines = [f"- Machine: {os.cpu_count()} CPU(s), {cpu}, Linux {platform.release()}"]
    idle = idle_line()
    if idle:
        lines.append(idle)
    flags = args.zkpp_server_flags.strip() or "none"
    return lines + [
        f"- zkpp-server's flags: `{flags}`",
        f"- Load before: `{args.load_before.strip()}`",
        f"- Load after: `{args.load_after.strip()}`",
    ]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--raw", required=True)
    p.add_argument("--callgrind", required=True)
    p.add_argument("--loopback", default="")
    p.add_argument("--server-rss", default="")
    p.add_argument("--mode", default="full")
    p.add_argument("--repeats", default="3")
    p.add_argument("--load-before", default="")
    p.add_argument("--load-after", default="")
    p.add_argument("--zkpp-server-flags", default="")
    args = p.parse_args()
    groups = load_runs(args.raw)
    servers = ["zookeeper", "zkpp-server"]
    server_name = {"zookeeper": "ZooKeeper 3.8", "zkpp-server": "zkpp-server"}

    print("# zkpp vs the official C client; zkpp-server vs Apache ZooKeeper 3.8\n")
    print(f"Produced by `bench/compare.sh{' --quick' if args.mode == 'quick' else ''}`: "
          f"medians of {args.repeats} runs per figure, clients run in alternation, "
          "every server and client on 127.0.0.1 of one machine.\n")
    print("\n".join(machine_lines(args)))
    print("- The machine may be shared: other processes compete for the CPUs, so absolute figures "
          "are noisy; ratios from the same run are the meaningful part.\n")

    print("## Clients on the same server\n")
    print("ops/s and latency (µs) medians; † marks a figure where some run had errors, "
          "was truncated by the time limit, or failed.\n")
    print("| op | window | clients | size | server | zkpp ops/s | C ops/s | zkpp/C "
          "| zkpp p50 | C p50 | zkpp p99 | C p99 |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for cfg in configs(groups):
        for s in servers:
            z, c = groups.get(cfg + (s, "zkpp"), []), groups.get(cfg + (s, "c"), [])
            if not z and not c:
                continue
            print(f"| {cfg[0]} | {cfg[1]} | {cfg[2]} | {cfg[3]} | {server_name[s]} | {fmt_rate(z)} "
                  f"| {fmt_rate(c)} | {fmt_ratio(ratio(z, c))} | {fmt_us(z, 'p50_us')} "
                  f"| {fmt_us(c, 'p50_us')} | {fmt_us(z, 'p99_us')} | {fmt_us(c, 'p99_us')} |")

    print("\n## Servers with the same client\n")
    print("| op | window | clients | size | client | ZooKeeper ops/s | zkpp-server ops/s "
          "| zkpp-server/ZooKeeper |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for cfg in configs(groups):
        for client, label in (("zkpp", "zkpp"), ("c", "C")):
            zk, zs = groups.get(cfg + ("zookeeper", client), []), groups.get(cfg + ("zkpp-server", client), [])
            if not zk and not zs:
                continue
            print(f"| {cfg[0]} | {cfg[1]} | {cfg[2]} | {cfg[3]} | {label} | {fmt_rate(zk)} "
                  f"| {fmt_rate(zs)} | {fmt_ratio(ratio(zs, zk))} |")

    loopback = defaultdict(list)
    if args.loopback:
        with open(args.loopback) as f:
            for line in f:
                if line.startswith("RESULT "):
                    t = parse_tokens(line)
                    loopback[int(t["size"])].append(t)
    if loopback:
        print("\n## Raw loopback TCP for comparison\n")
        print("`zkpp-loopback-bench`: one thread writes frames the size of a getData reply over one "
              "loopback connection, in gather writes of up to 64 KiB as a server answering a "
              "pipelined client does, and another thread reads them; no server work at all. What "
              "TCP alone moves here, so a get row can be read against it. It varies a lot between "
              "runs (the kernel's copies are much slower when a destination is not 32-byte "
              "aligned on some CPUs), hence the range.\n")
        print("| size | frame bytes | frames/s (median) | frames/s (min–max) | GB/s (median) "
              "| fastest zkpp-server get (zkpp client) | zkpp-server / raw TCP |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for size in sorted(loopback):
            runs = loopback[size]
            rates = [float(r["frames_per_s"]) for r in runs]
            rate = statistics.median(rates)
            gbps = statistics.median(float(r["gb_per_s"]) for r in runs)
            gets = [median(v, "ops_per_s") for k, v in groups.items()
                    if k[0] == "get" and k[3] == size and k[4] == "zkpp-server" and k[5] == "zkpp"]
            best = max(gets) if gets else None
            share = f"{best / rate:.0%}" if best else "–"
            best_text = f"{best:,.0f}" if best else "–"
            print(f"| {size} | {runs[0]['frame_bytes']} | {rate:,.0f} | {min(rates):,.0f}–{max(rates):,.0f} "
                  f"| {gbps:.2f} | {best_text} | {share} |")

    ir = {}
    with open(args.callgrind) as f:
        for line in f:
            t = parse_tokens(line)
            if t.get("ir"):
                ir[(t["client"], int(t.get("rep", "1")), int(t["ops"]))] = int(t["ir"].replace(",", ""))
    per_op = {}
    if ir:
        print("\n## Client instructions per synchronous getData (callgrind)\n")
        print("Whole client process (all threads), 100-byte value, against zkpp-server; "
              "instructions per op = difference between two runs of different length divided by "
              "the difference in ops, so start-up, connect and tear-down cancel out. "
              "Valgrind runs a client's threads one at a time, and where it switches between them "
              "changes the count: each pair of runs is repeated, and the median is the figure.\n")
        counts = sorted({n for _, _, n in ir})
        reps = sorted({r for _, r, _ in ir})
        print("| client | instructions per getData, each repetition | median |")
        print("|---|---|---:|")
        for client, label in (("zkpp", "zkpp"), ("c", "C")):
            runs = [(ir[(client, r, counts[-1])] - ir[(client, r, counts[0])]) / (counts[-1] - counts[0])
                    for r in reps if len(counts) >= 2 and all((client, r, n) in ir for n in counts)]
            if runs:
                per_op[client] = statistics.median(runs)
                print(f"| {label} | {', '.join(f'{x:,.0f}' for x in runs)} | {per_op[client]:,.0f} |")
        if "zkpp" in per_op and "c" in per_op:
            print(f"\nzkpp / C: {per_op['zkpp'] / per_op['c']:.2f}×")

    print("\n## Peak RSS\n")
    rss = defaultdict(int)
    for (_, _, _, _, s, client), runs in groups.items():
        for r in runs:
            rss[(s, client)] = max(rss[(s, client)], int(r.get("client_rss_kib", "0") or 0))
    print("| process | peak RSS (MiB) |")
    print("|---|---:|")
    for client, label in (("zkpp", "zkpp-bench"), ("c", "zkpp-c-bench")):
        peak = max(rss[(s, client)] for s in servers)
        print(f"| {label} (largest over all its runs) | {peak / 1024:.1f} |")
    for token in args.server_rss.split():
        name, kib = token.split("=", 1)
        print(f"| {server_name.get(name, name)} (end of the runs) | {int(kib) / 1024:.1f} |")

    print("\n## Issue 8 targets against these medians\n")
    checks = []

    def client_ratio(op, window, server, field="ops_per_s"):
        return ratio(groups.get((op, window, 1, 100, server, "zkpp"), []),
                     groups.get((op, window, 1, 100, server, "c"), []), field)

    r = client_ratio("get", 256, "zkpp-server")
    checks.append(("pipelined get w256 zkpp/C on zkpp-server ≥ 1.5×", r, r is not None and r >= 1.5))
    r = client_ratio("get", 256, "zookeeper")
    checks.append(("pipelined get w256 zkpp/C on ZooKeeper ≥ 1.0×", r, r is not None and r >= 1.0))
    for s in servers:
        for field in ("p50_us", "p99_us"):
            r = client_ratio("syncget", 1, s, field)
            checks.append((f"syncget {field[:3]} zkpp/C on {server_name[s]} ≤ 1.0×", r, r is not None and r <= 1.0))
    if "zkpp" in per_op and "c" in per_op:
        r = per_op["zkpp"] / per_op["c"]
        checks.append(("client instructions per getData zkpp/C ≤ 0.5×", r, r <= 0.5))
    for op in ("get", "set"):
        for window in (1, 256):
            r = ratio(groups.get((op, window, 1, 100, "zkpp-server", "zkpp"), []),
                      groups.get((op, window, 1, 100, "zookeeper", "zkpp"), []))
            checks.append((f"{op} w{window} zkpp-server/ZooKeeper (zkpp client) ≥ 3×", r, r is not None and r >= 3))
    print("| target | measured | met |")
    print("|---|---:|---|")
    for name, value, met in checks:
        if value is not None:
            print(f"| {name} | {fmt_ratio(value)} | {'yes' if met else '**no**'} |")


if __name__ == "__main__":
    main()
