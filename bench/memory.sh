#!/usr/bin/env bash
# Memory per znode and per session in zkpp-server and Apache ZooKeeper 3.8,
# and per watch in the zkpp client, measured with zkpp-memory-bench against
# both servers started here on free loopback ports; writes a markdown table.
#   bench/memory.sh [--quick] [--build-dir DIR] [--out FILE]
# --quick: 100,000 znodes instead of 1,000,000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
cd "$ZKPP_ROOT"

znodes=1000000 sessions=1000 watches=100000 build="${ZKPP_BUILD_DIR:-build}"
out="bench/results/memory-$(date +%Y-%m-%d).md"
while (($#)); do
  case "$1" in
    --quick) znodes=100000 ;;
    --build-dir) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) zkpp_die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done
command -v jcmd >/dev/null || zkpp_die "jcmd (default-jdk-headless) is needed to read ZooKeeper's heap"
cmake --build "$build" --target zkpp-memory-bench zkpp-server -j "$(zkpp_jobs)"
tool="$build/bench/zkpp-memory-bench"

work="$(mktemp -d "${TMPDIR:-/tmp}/zkpp-memory-XXXXXX")"
zkpp_clean_up_on_exit "$work"

zkpp_start_zkpp_server "$build/server/zkpp-server" "$work/zkpp-server.log"
zkpp_log "starting Apache ZooKeeper (2 GiB heap for $znodes znodes)"
ZKPP_ZK_JAVA_OPTS="-Xmx2g" zkpp_start_zookeeper

# measure LABEL ARGS...: runs the tool, keeps its RESULT lines tagged with LABEL.
measure() {
  local label="$1"
  shift
  zkpp_log "$label: zkpp-memory-bench $*"
  "$tool" "$@" | sed -n "s/^RESULT /RESULT server=$label /p" | tee -a "$work/results"
}
zk="127.0.0.1:$ZKPP_ZK_PORT" zs="127.0.0.1:$ZKPP_SERVER_PORT"
measure zkpp-server znodes --server "$zs" --pid "$ZKPP_SERVER_PID" --count "$znodes"
measure zkpp-server sessions --server "$zs" --pid "$ZKPP_SERVER_PID" --count "$sessions"
measure zookeeper znodes --server "$zk" --pid "$ZKPP_ZK_PID" --count "$znodes" --jvm
measure zookeeper sessions --server "$zk" --pid "$ZKPP_ZK_PID" --count "$sessions" --jvm
measure client watches --server "$zs" --count "$watches"

mkdir -p "$(dirname "$out")"
python3 - "$work/results" "$out" <<'PY'
import sys
rows = [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in open(sys.argv[1])]
def per(server, kind, measure):
    for r in rows:
        if r["server"] == server and r["kind"] == kind and r["measure"] == measure:
            return float(r["bytes_per"]), int(r["count"])
    return None, None
lines = ["# Memory per object", "",
         "Differences measured by `bench/memory.sh` (zkpp-memory-bench): a server's resident",
         "set before and after loading it; for ZooKeeper also its Java heap in use after a",
         "full GC (`jcmd`), since a JVM's resident set follows its heap sizing.", "",
         "| what | count | zkpp-server (RSS) | ZooKeeper 3.8 (heap after GC) | ZooKeeper 3.8 (RSS) | ratio ZooKeeper heap / zkpp |",
         "|---|---:|---:|---:|---:|---:|"]
for kind in ("znodes", "sessions"):
    zs, n = per("zkpp-server", kind, "rss")
    zh, _ = per("zookeeper", kind, "jvm_heap_after_gc")
    zr, _ = per("zookeeper", kind, "rss")
    ratio = "%.1f×" % (zh / zs) if zs and zh else "n/a"
    lines.append("| bytes per %s | %s | %.0f | %.0f | %.0f | %s |" % (kind[:-1], n, zs or 0, zh or 0, zr or 0, ratio))
w, n = per("client", "watches", "client_heap")
lines += ["", "zkpp client: %.0f bytes of heap per registered watch (%d exists watches, mallinfo2)." % (w or 0, n or 0)]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
zkpp_log "wrote $out"
