#!/usr/bin/env bash
# The lock recipe against Apache Curator: zkpp-bench --op lock and
# bench/peers/CuratorLockBench.java (InterProcessMutex, compiled here from
# Debian's Curator jars) run in alternation with the same contenders and
# cycles against Apache ZooKeeper 3.8 and zkpp-server; medians of the
# repeats go to a markdown table.
#   bench/lock_compare.sh [--repeats N] [--cycles M] [--build-dir DIR] [--out FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
cd "$ZKPP_ROOT"

repeats=3 cycles=200 build="${ZKPP_BUILD_DIR:-build}"
out="bench/results/lock-$(date +%Y-%m-%d).md"
while (($#)); do
  case "$1" in
    --repeats) repeats="$2"; shift ;;
    --cycles) cycles="$2"; shift ;;
    --build-dir) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) zkpp_die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done
cmake --build "$build" --target zkpp-bench zkpp-server -j "$(zkpp_jobs)"

work="$(mktemp -d "${TMPDIR:-/tmp}/zkpp-lock-compare-XXXXXX")"
zkpp_clean_up_on_exit "$work"

jars=/usr/share/java
classpath="$work/classes:$jars/curator-recipes.jar:$jars/slf4j-simple.jar"
mkdir -p "$work/classes"
javac -Xlint:all,-path -Werror -d "$work/classes" -cp "$classpath" bench/peers/CuratorLockBench.java ||
  zkpp_die "cannot compile the Curator peer (libcurator-recipes-java, default-jdk-headless)"

zkpp_start_zookeeper
zkpp_start_zkpp_server "$build/server/zkpp-server" "$work/zkpp-server.log"
declare -A host=([zookeeper]="127.0.0.1:$ZKPP_ZK_PORT" [zkpp-server]="127.0.0.1:$ZKPP_SERVER_PORT")

raw="$work/raw.txt"
: >"$raw"
run_one() {
  local server="$1" client="$2" clients="$3" rep="$4"
  local cmd=("$build/bench/zkpp-bench" --op lock --label lock)
  [[ "$client" == curator ]] && cmd=(java -cp "$classpath" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
    CuratorLockBench)
  "${cmd[@]}" --host "${host[$server]}" --clients "$clients" --cycles "$cycles" --time-limit 120 \
    >"$work/out" 2>"$work/err" || zkpp_log "$client on $server exited with $?: $(tail -n 2 "$work/err")"
  grep '^RESULT ' "$work/out" | sed "s/^RESULT /server=$server rep=$rep /" >>"$raw" || true
}
for clients in 1 4 16; do
  zkpp_log "lock: $clients contenders x $cycles cycles, x$repeats"
  for ((rep = 1; rep <= repeats; rep++)); do
    order=(zkpp curator)
    ((rep % 2 == 0)) && order=(curator zkpp)
    for server in zookeeper zkpp-server; do
      for client in "${order[@]}"; do run_one "$server" "$client" "$clients" "$rep"; done
    done
  done
done

mkdir -p "$(dirname "$out")"
python3 - "$raw" "$out" "$cycles" "$repeats" <<'PY'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in line.split()) for line in open(sys.argv[1])]
def med(server, client, clients, key):
    v = [float(r[key]) for r in rows if r["server"] == server and r["client"] == client
         and r["clients"] == clients and r["truncated"] == "0" and r["errors"] == "0"]
    return statistics.median(v) if v else None
lines = ["# Lock recipe: zkpp vs Apache Curator", "",
         "`bench/lock_compare.sh`: each contender (one session each) acquires and releases the",
         "lock %s times; medians of %s repeats (runs with errors or truncated left out)." % (sys.argv[3], sys.argv[4]), "",
         "| server | contenders | zkpp acq/s | Curator acq/s | zkpp/Curator | zkpp p50 µs | Curator p50 µs |",
         "|---|---:|---:|---:|---:|---:|---:|"]
for server in ("zookeeper", "zkpp-server"):
    for clients in ("1", "4", "16"):
        z, c = med(server, "zkpp", clients, "ops_per_s"), med(server, "curator", clients, "ops_per_s")
        zp, cp = med(server, "zkpp", clients, "p50_us"), med(server, "curator", clients, "p50_us")
        f = lambda x: "n/a" if x is None else "%.0f" % x
        ratio = "%.2f×" % (z / c) if z and c else "n/a"
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (server, clients, f(z), f(c), ratio, f(zp), f(cp)))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
zkpp_log "wrote $out"
