#!/usr/bin/env bash
# A local Apache ZooKeeper ensemble (the Debian package's QuorumPeerMain, one
# process per member on 127.0.0.1): a stand-in for docker/docker-compose.yml
# where no Docker engine runs.
#   scripts/ensemble.sh start [--members N]   prints the connect string once a quorum serves
#   scripts/ensemble.sh status                one line per member; exit 1 if one is not serving
#   scripts/ensemble.sh stop
#   ZKPP_TEST_SERVERS=$(scripts/ensemble.sh start) ctest --test-dir build -L integration
# Env: ZKPP_ENSEMBLE_DIR (default ${TMPDIR:-/tmp}/zkpp-ensemble-$UID) holds
# the members' configuration, data and logs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

state="${ZKPP_ENSEMBLE_DIR:-${TMPDIR:-/tmp}/zkpp-ensemble-$(id -u)}"

usage() {
  sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

member_dirs() { find "$state" -mindepth 1 -maxdepth 1 -type d -name 'member-*' | sort -V; }

running() { [[ -f "$1/pid" ]] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }

# The member's srvr Mode (leader, follower), or nothing while it does not serve.
mode() {
  zkpp_four_letter_word "$(cat "$1/client_port")" srvr | sed -n 's/^Mode: //p'
}

stop() {
  [[ -d "$state" ]] || return 0
  local dir pid deadline
  # SIGTERM every member first so that they shut down in parallel.
  for dir in $(member_dirs); do
    if running "$dir"; then kill "$(cat "$dir/pid")" 2>/dev/null || true; fi
  done
  for dir in $(member_dirs); do
    [[ -f "$dir/pid" ]] || continue
    pid="$(cat "$dir/pid")"
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$state"
}

start() {
  local members="$1" dir i deadline serving
  if [[ -d "$state" ]]; then
    for dir in $(member_dirs); do
      running "$dir" && zkpp_die "an ensemble is running ($(cat "$state/connect_string")): stop it first"
    done
    stop
  fi
  mkdir -p "$state"
  local ports=() servers="" connect=""
  mapfile -t ports < <(zkpp_free_ports $((3 * members)))
  for ((i = 0; i < members; i++)); do
    servers+="server.$((i + 1))=127.0.0.1:${ports[3 * i + 1]}:${ports[3 * i + 2]}"$'\n'
    connect+="${connect:+,}127.0.0.1:${ports[3 * i]}"
  done
  for ((i = 0; i < members; i++)); do
    dir="$state/member-$((i + 1))"
    mkdir -p "$dir/data"
    echo "$((i + 1))" >"$dir/data/myid"
    echo "${ports[3 * i]}" >"$dir/client_port"
    {
      zkpp_zoo_cfg "$dir/data" "${ports[3 * i]}"
      # standaloneEnabled=false: one member still runs as a quorum (leader).
      printf 'initLimit=10\nsyncLimit=5\nstandaloneEnabled=false\nreconfigEnabled=false\n'
      printf '%s' "$servers"
    } >"$dir/zoo.cfg"
    zkpp_launch_zookeeper org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
      "$dir/zookeeper.log"
    echo $! >"$dir/pid"
  done
  echo "$connect" >"$state/connect_string"
  # A quorum forms when the members find each other: poll srvr with a deadline.
  deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    serving=0
    for dir in $(member_dirs); do
      running "$dir" || {
        tail -n 30 "$dir/zookeeper.log" >&2 || true
        stop
        zkpp_die "ensemble member ${dir##*/} exited while starting (log above)"
      }
      [[ -n "$(mode "$dir")" ]] && serving=$((serving + 1))
    done
    if ((serving == members)); then
      zkpp_log "ensemble of $members serving; logs in $state/member-*/zookeeper.log"
      echo "$connect"
      return 0
    fi
    sleep 0.2
  done
  for dir in $(member_dirs); do
    zkpp_log "${dir##*/}: srvr Mode '$(mode "$dir")'; log tail:"
    tail -n 10 "$dir/zookeeper.log" >&2 || true
  done
  stop
  zkpp_die "the ensemble of $members did not serve on $connect within 90 s"
}

status() {
  [[ -f "$state/connect_string" ]] || { echo "no ensemble started (in $state)"; return 3; }
  local dir all=0 m
  echo "connect string: $(cat "$state/connect_string")"
  for dir in $(member_dirs); do
    if ! running "$dir"; then
      echo "${dir##*/} 127.0.0.1:$(cat "$dir/client_port"): not running"
      all=1
      continue
    fi
    m="$(mode "$dir")"
    echo "${dir##*/} 127.0.0.1:$(cat "$dir/client_port") pid $(cat "$dir/pid"): ${m:-not serving}"
    [[ -n "$m" ]] || all=1
  done
  return "$all"
}

command="${1:-}"
[[ -n "$command" ]] || usage
shift
members=3
while (($#)); do
  case "$1" in
    --members)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || zkpp_die "--members needs a positive number"
      members="$2"
      shift 2
      ;;
    -h | --help) usage ;;
    *) zkpp_die "unknown argument '$1'" ;;
  esac
done

case "$command" in
  start) start "$members" ;;
  stop) stop ;;
  status) status ;;
  -h | --help) usage ;;
  *) zkpp_die "unknown command '$command' (start, stop or status)" ;;
esac
