#!/usr/bin/env bash
# Installs what is missing, builds, and runs the guided recipes tour
# (examples/recipes_tour.cpp: locks, election, queue, barrier, configuration)
# against a reference server embedded in the tour; `--real` starts Apache
# ZooKeeper on a free loopback port instead, `--server HOSTS` uses yours.
#   scripts/demo.sh [--real | --server HOSTS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ZKPP_ROOT"

zkpp_install_deps
build="${ZKPP_BUILD_DIR:-build}"
zkpp_log "configure $build"
zkpp_configure "$build"
zkpp_log "build $build"
cmake --build "$build" -j "$(zkpp_jobs)" --target zkpp-recipes-tour

tour="$build/examples/zkpp-recipes-tour"
[[ -x "$tour" ]] || zkpp_die "the build did not produce $tour"

if [[ " $* " == *" --real "* ]]; then
  # --real: the same tour against Apache ZooKeeper started here.
  args=()
  for a in "$@"; do [[ "$a" == --real ]] || args+=("$a"); done
  trap zkpp_stop_zookeeper EXIT
  zkpp_log "starting Apache ZooKeeper"
  zkpp_start_zookeeper
  zkpp_log "ZooKeeper listening on 127.0.0.1:$ZKPP_ZK_PORT"
  "$tour" --server "127.0.0.1:$ZKPP_ZK_PORT" "${args[@]}"
else
  # Default: the tour starts an embedded reference server itself;
  # --server HOSTS runs it against an ensemble of your own.
  "$tour" "$@"
fi
