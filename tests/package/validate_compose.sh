#!/usr/bin/env bash
# Validates docker/docker-compose*.yml with `docker compose config` (or the
# older docker-compose) and checks that each defines the expected services.
# Exits 77 (skipped) when neither is installed: docker is optional, also in CI.
#   validate_compose.sh DOCKER_DIR
set -euo pipefail
dir="${1:?usage: validate_compose.sh DOCKER_DIR}"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null && docker-compose version >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "SKIP: neither 'docker compose' nor docker-compose is installed"
  exit 77
fi

examples=(zkpp-lock-example zkpp-election-example zkpp-queue-example)
check() {
  local file="$1"
  shift
  "${compose[@]}" -f "$dir/$file" config -q
  local services service
  services="$("${compose[@]}" -f "$dir/$file" config --services)"
  for service in "$@" "${examples[@]}"; do
    grep -qx "$service" <<<"$services" ||
      { echo "FAIL: $file defines no service '$service' (has: ${services//$'\n'/ })"; return 1; }
  done
  echo "$file: valid (${compose[*]})"
}

check docker-compose.yml zk1 zk2 zk3
check docker-compose.zkpp.yml zkpp-server
