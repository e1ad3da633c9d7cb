#!/usr/bin/env bash
# Runs zkpp-bench and zkpp-c-bench (official C client) in alternation against
# Apache ZooKeeper 3.8 and zkpp-server, both started here on free loopback
# ports, repeats each figure, and writes a markdown table of medians and
# ratios; then measures client instructions per synchronous getData with
# callgrind. Peak RSS of every client run and of both servers is recorded.
#   bench/compare.sh [--quick] [--repeats N] [--no-callgrind] [--build-dir DIR] [--out FILE]
#                    [--idle-poll MICROSECONDS]
#                    [--ops get,set,...] [--windows 1,16,...] [--clients 1,8] [--sizes 100,...]
# --idle-poll is zkpp-server's flag of that name (200 here; 0 is the server's
# default, no polling). The last four narrow the matrix to the rows that are
# of interest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
cd "$ZKPP_ROOT"

quick=0 repeats=3 callgrind=1 idle_poll=200 build="${ZKPP_BUILD_DIR:-build}"
only_ops="" only_windows="" only_clients="" only_sizes=""
out="bench/results/compare-$(date +%Y-%m-%d).md"
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --repeats) repeats="$2"; shift ;;
    --no-callgrind) callgrind=0 ;;
    --build-dir) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    --idle-poll) idle_poll="$2"; shift ;;
    --ops) only_ops="$2"; shift ;;
    --windows) only_windows="$2"; shift ;;
    --clients) only_clients="$2"; shift ;;
    --sizes) only_sizes="$2"; shift ;;
    *) zkpp_die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done
((repeats >= 1)) || zkpp_die "--repeats must be at least 1"

if ((quick)); then
  ops_list=(get set syncget) windows=(1 256) clients_list=(1) sizes=(100)
  ops_w1=3000 ops_wide=30000 time_limit=30
else
  ops_list=(syncget get set create) windows=(1 16 256) clients_list=(1 8) sizes=(100 10240)
  ops_w1=20000 ops_wide=100000 time_limit=60
fi
[[ -n "$only_ops" ]] && IFS=, read -ra ops_list <<<"$only_ops"
[[ -n "$only_windows" ]] && IFS=, read -ra windows <<<"$only_windows"
[[ -n "$only_clients" ]] && IFS=, read -ra clients_list <<<"$only_clients"
[[ -n "$only_sizes" ]] && IFS=, read -ra sizes <<<"$only_sizes"
callgrind_ops=(1000 3000)  # instructions per op = difference / (3000 - 1000)

targets=(zkpp-bench zkpp-c-bench zkpp-server zkpp-loopback-bench)
if [[ ! -x "$build/bench/zkpp-bench" || ! -x "$build/bench/zkpp-c-bench" ||
  ! -x "$build/server/zkpp-server" || ! -x "$build/bench/zkpp-loopback-bench" ]]; then
  [[ -f "$build/build.ninja" || -f "$build/Makefile" ]] || zkpp_configure "$build"
  cmake --build "$build" --target "${targets[@]}" -j "$(zkpp_jobs)"
fi
[[ -x "$build/bench/zkpp-c-bench" ]] ||
  zkpp_die "zkpp-c-bench was not built: is libzookeeper-mt-dev installed?"
declare -A tool=([zkpp]="$build/bench/zkpp-bench" [c]="$build/bench/zkpp-c-bench")

work="$(mktemp -d "${TMPDIR:-/tmp}/zkpp-compare-XXXXXX")"
zkpp_clean_up_on_exit "$work"

# Peak resident set of a running process, in KiB.
peak_rss_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

zkpp_log "starting Apache ZooKeeper"
# The full matrix creates 100,000 nodes of 10 KiB: 1 GB, more than the
# default heap of 256 MB (ZooKeeper stopped answering there).
ZKPP_ZK_JAVA_OPTS="${ZKPP_ZK_JAVA_OPTS:--Xmx2g}" zkpp_start_zookeeper
zkpp_log "starting zkpp-server"
server_flags=(--idle-poll "$idle_poll")
zkpp_start_zkpp_server "$build/server/zkpp-server" "$work/zkpp-server.log" "${server_flags[@]}"
declare -A server_host=([zookeeper]="127.0.0.1:$ZKPP_ZK_PORT" [zkpp-server]="127.0.0.1:$ZKPP_SERVER_PORT")
servers=(zookeeper zkpp-server)

raw="$work/raw.txt"
: >"$raw"
load_before="$(uptime)"
runs=0
# run_one SERVER CLIENT REP ARGS...: one bounded run; its RESULT lines go to
# $raw tagged with the server, the repeat and the client's peak RSS.
run_one() {
  local server="$1" client="$2" rep="$3" rc=0
  shift 3
  /usr/bin/time -f '%M' -o "$work/rss" "${tool[$client]}" --host "${server_host[$server]}" \
    --label cmp --time-limit "$time_limit" "$@" >"$work/out" 2>"$work/err" || rc=$?
  local rss
  rss="$(tail -n 1 "$work/rss")"
  if ((rc != 0)); then
    zkpp_log "$client on $server ($*) exited with $rc: $(tail -n 3 "$work/err" | tr '\n' ' ')"
  fi
  grep '^RESULT ' "$work/out" | sed "s/^/server=$server rep=$rep rc=$rc client_rss_kib=$rss /" >>"$raw" || true
  runs=$((runs + 1))
}

# ZooKeeper keeps every transaction log and snapshot: the full matrix wrote
# 30 GB of them before its create rows. Between rows that write, keep only
# the last three snapshots and the logs they need, as autopurge would.
purge_zookeeper_logs() {
  java -cp "/usr/share/java/zookeeper.jar:/usr/share/java/*" org.apache.zookeeper.server.PurgeTxnLog \
    "$ZKPP_ZK_DIR/data" "$ZKPP_ZK_DIR/data" -n 3 >/dev/null 2>&1 ||
    zkpp_log "could not purge ZooKeeper's old transaction logs"
}

for op in "${ops_list[@]}"; do
  for window in "${windows[@]}"; do
    # A synchronous get has one request in flight by definition.
    [[ "$op" == syncget && "$window" != 1 ]] && continue
    ops=$ops_wide
    [[ "$window" == 1 ]] && ops=$ops_w1
    for clients in "${clients_list[@]}"; do
      for size in "${sizes[@]}"; do
        zkpp_log "$op window=$window clients=$clients size=$size ops=$ops x$repeats"
        for ((rep = 1; rep <= repeats; rep++)); do
          # Alternate the order so neither client always runs first.
          order=(zkpp c)
          ((rep % 2 == 0)) && order=(c zkpp)
          for server in "${servers[@]}"; do
            for client in "${order[@]}"; do
              run_one "$server" "$client" "$rep" --op "$op" --window "$window" \
                --clients "$clients" --size "$size" --ops "$ops"
            done
          done
        done
        if [[ "$op" == set || "$op" == create ]]; then purge_zookeeper_logs; fi
      done
    done
  done
done

callgrind_file="$work/callgrind.txt"
: >"$callgrind_file"
if ((callgrind)); then
  command -v valgrind >/dev/null || zkpp_die "valgrind is not installed"
  zkpp_log "callgrind: client instructions per synchronous getData against zkpp-server"
  # Repeated like every other figure: valgrind runs the client's threads one
  # at a time, and where it switches between them changes the count.
  for ((rep = 1; rep <= repeats; rep++)); do
    for client in zkpp c; do
      for n in "${callgrind_ops[@]}"; do
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
          "${tool[$client]}" --host "${server_host[zkpp-server]}" --label cg --op syncget \
          --ops "$n" --warmup 0 --size 100 --time-limit 300 >"$work/out" 2>"$work/err" ||
          zkpp_die "callgrind run of $client failed: $(tail -n 5 "$work/err")"
        ir="$(awk '/^(summary|totals):/ {print $2; exit}' "$work/cg.out")"
        echo "client=$client rep=$rep ops=$n ir=$ir" >>"$callgrind_file"
      done
    done
  done
fi

# Raw loopback TCP: getData-reply-sized frames over one connection with no
# server at all, so a get row can be read against what TCP alone moves here.
loopback_file="$work/loopback.txt"
: >"$loopback_file"
for size in "${sizes[@]}"; do
  for ((rep = 1; rep <= repeats; rep++)); do
    "$build/bench/zkpp-loopback-bench" --size "$size" --seconds 2 >>"$loopback_file" ||
      zkpp_die "zkpp-loopback-bench --size $size failed"
  done
done

server_rss="zookeeper=$(peak_rss_kib "$ZKPP_ZK_PID") zkpp-server=$(peak_rss_kib "$ZKPP_SERVER_PID")"
load_after="$(uptime)"
mkdir -p "$(dirname "$out")"
python3 bench/compare_report.py --raw "$raw" --callgrind "$callgrind_file" --loopback "$loopback_file" \
  --server-rss "$server_rss" --mode "$( ((quick)) && echo quick || echo full)" \
  --repeats "$repeats" --zkpp-server-flags "${server_flags[*]}" --load-before "$load_before" --load-after "$load_after" >"$out"
zkpp_log "$runs runs; report written to $out"
