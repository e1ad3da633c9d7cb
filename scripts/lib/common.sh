# shellcheck shell=bash
# Shared helpers for scripts/*.sh (sourced, not run).

ZKPP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian 12 packages for building, testing and the demo.
ZKPP_PACKAGES=(
  cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
  libasio-dev libboost-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev zookeeper default-jre-headless libzookeeper-mt-dev
  python3 python3-kazoo libcurator-recipes-java default-jdk-headless valgrind
  docker-compose
)

zkpp_log() { printf '==> %s\n' "$*" >&2; }
zkpp_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs whatever of ZKPP_PACKAGES is missing (apt-get update only then).
zkpp_install_deps() {
  local missing=() p
  for p in "${ZKPP_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  zkpp_log "installing: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || zkpp_die "missing packages (${missing[*]}) and not root"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

zkpp_jobs() { nproc 2>/dev/null || echo 2; }

# zkpp_configure BUILD_DIR [cmake args...]: Ninja, RelWithDebInfo unless given.
zkpp_configure() {
  local dir="$1"
  shift
  cmake -S "$ZKPP_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
}

# zkpp_free_ports N: prints N distinct free TCP ports on 127.0.0.1, one a line.
zkpp_free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in held))
PY
}

zkpp_free_port() { zkpp_free_ports 1; }

# zkpp_four_letter_word PORT WORD: prints the answer of the server on
# 127.0.0.1:PORT to a four-letter word (nothing when it does not answer).
zkpp_four_letter_word() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.settimeout(2)
s.sendall(sys.argv[2].encode())
answer = b""
while chunk := s.recv(4096):
    answer += chunk
print(answer.decode(errors="replace"), end="")
PY
}

# zkpp_zoo_cfg DATA_DIR CLIENT_PORT: the zoo.cfg lines every local Apache
# ZooKeeper gets (as the test fixture writes them).
zkpp_zoo_cfg() {
  cat <<CFG
tickTime=2000
dataDir=$1
clientPort=$2
clientPortAddress=127.0.0.1
4lw.commands.whitelist=*
admin.enableServer=false
maxClientCnxns=0
CFG
}

# zkpp_launch_zookeeper MAIN_CLASS ZOO_CFG LOG: runs Apache ZooKeeper from the
# Debian package in the background ($! is its pid) with the system properties
# the test fixture sets: TTL nodes, containers reaped every second.
# ZKPP_ZK_JAVA_OPTS replaces the default JVM options (-Xmx256m).
zkpp_launch_zookeeper() {
  # shellcheck disable=SC2086 # a list of options
  java ${ZKPP_ZK_JAVA_OPTS:--Xmx256m} -Dzookeeper.extendedTypesEnabled=true -Dznode.container.checkIntervalMs=1000 \
    -cp "/usr/share/java/zookeeper.jar:/usr/share/java/*" "$1" "$2" </dev/null >"$3" 2>&1 &
}

# zkpp_start_zookeeper: starts Apache ZooKeeper standalone on a free loopback
# port; sets ZKPP_ZK_PID, ZKPP_ZK_DIR, ZKPP_ZK_PORT. Stop with zkpp_stop_zookeeper.
zkpp_start_zookeeper() {
  ZKPP_ZK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/zkpp-zookeeper-XXXXXX")"
  ZKPP_ZK_PORT="$(zkpp_free_port)"
  mkdir -p "$ZKPP_ZK_DIR/data"
  zkpp_zoo_cfg "$ZKPP_ZK_DIR/data" "$ZKPP_ZK_PORT" >"$ZKPP_ZK_DIR/zoo.cfg"
  zkpp_launch_zookeeper org.apache.zookeeper.server.ZooKeeperServerMain "$ZKPP_ZK_DIR/zoo.cfg" \
    "$ZKPP_ZK_DIR/zookeeper.log"
  ZKPP_ZK_PID=$!
  # Readiness is only observable by asking: poll ruok with a deadline.
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    kill -0 "$ZKPP_ZK_PID" 2>/dev/null || break
    [[ "$(zkpp_four_letter_word "$ZKPP_ZK_PORT" ruok)" == imok ]] && return 0
    sleep 0.2
  done
  tail -n 30 "$ZKPP_ZK_DIR/zookeeper.log" >&2 || true
  zkpp_stop_zookeeper
  zkpp_die "Apache ZooKeeper did not answer ruok=imok on 127.0.0.1:$ZKPP_ZK_PORT within 60 s"
}

zkpp_stop_zookeeper() {
  if [[ -n "${ZKPP_ZK_PID:-}" ]]; then
    kill "$ZKPP_ZK_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 "$ZKPP_ZK_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$ZKPP_ZK_PID" 2>/dev/null || true
    wait "$ZKPP_ZK_PID" 2>/dev/null || true
    ZKPP_ZK_PID=""
  fi
  if [[ -n "${ZKPP_ZK_DIR:-}" ]]; then
    rm -rf "$ZKPP_ZK_DIR"
    ZKPP_ZK_DIR=""
  fi
}

# zkpp_start_zkpp_server SERVER_BINARY LOG [FLAG...]: starts zkpp-server on a
# free loopback port with the extra flags; sets ZKPP_SERVER_PID and
# ZKPP_SERVER_PORT. Stop with zkpp_stop_zkpp_server.
zkpp_start_zkpp_server() {
  ZKPP_SERVER_PORT="$(zkpp_free_port)"
  "$1" --host 127.0.0.1 --port "$ZKPP_SERVER_PORT" "${@:3}" >"$2" 2>&1 &
  ZKPP_SERVER_PID=$!
  local deadline=$((SECONDS + 30))
  until grep -qs "listening on" "$2"; do
    kill -0 "$ZKPP_SERVER_PID" 2>/dev/null || zkpp_die "zkpp-server exited: $(cat "$2")"
    ((SECONDS < deadline)) || zkpp_die "zkpp-server did not start listening within 30 s"
    sleep 0.1
  done
}

zkpp_stop_zkpp_server() {
  if [[ -n "${ZKPP_SERVER_PID:-}" ]]; then
    kill "$ZKPP_SERVER_PID" 2>/dev/null || true
    wait "$ZKPP_SERVER_PID" 2>/dev/null || true
    ZKPP_SERVER_PID=""
  fi
}

# zkpp_clean_up_on_exit DIR: when the script ends, stops the servers that
# zkpp_start_zookeeper / zkpp_start_zkpp_server started and removes DIR.
zkpp_clean_up_on_exit() {
  ZKPP_CLEAN_UP_DIR="$1"
  trap 'zkpp_stop_zkpp_server; zkpp_stop_zookeeper; rm -rf "$ZKPP_CLEAN_UP_DIR"' EXIT
  trap 'exit 130' INT TERM
}
