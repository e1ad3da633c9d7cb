#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the tests (and, with
# clang, each fuzzer for a bounded time).
#   scripts/test.sh [--sanitize=address|thread] [ctest args...]
# Env: ZKPP_FUZZ_SECONDS (default 30; 0 skips fuzzing; fuzzing is also skipped
# when ctest args are given unless this is set), ZKPP_TEST_BACKEND,
# ZKPP_TEST_SERVERS (see README.md), ZKPP_BUILD_DIR (default build; the
# sanitizer and fuzz builds use it with -asan, -tsan, -fuzz appended).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ZKPP_ROOT"

sanitize=""
ctest_args=()
for arg in "$@"; do
  case "$arg" in
    --sanitize=address | --sanitize=thread) sanitize="${arg#--sanitize=}" ;;
    --sanitize=*) zkpp_die "unknown sanitizer '${arg#--sanitize=}' (address or thread)" ;;
    -h | --help)
      sed -n '2,10p' "$0"
      exit 0
      ;;
    *) ctest_args+=("$arg") ;;
  esac
done
fuzz_seconds="${ZKPP_FUZZ_SECONDS:-30}"
if [[ -z "${ZKPP_FUZZ_SECONDS:-}" && ${#ctest_args[@]} -gt 0 ]]; then
  fuzz_seconds=0
fi

zkpp_install_deps

base="${ZKPP_BUILD_DIR:-build}"
build="$base"
cmake_args=()
runner=()
case "$sanitize" in
  address)
    build="$base-asan"
    cmake_args+=(-DZKPP_SANITIZE=address)
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=1:print_stacktrace=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    ;;
  thread)
    build="$base-tsan"
    cmake_args+=(-DZKPP_SANITIZE=thread)
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ZKPP_ROOT/scripts/tsan.supp"
    ;;
esac

# TSan refuses to start when the kernel randomises mmap more than it supports
# (vm.mmap_rnd_bits > 28 on older toolchains): probe a tiny TSan binary and
# fall back to running without ASLR, or lowering the entropy when root.
tsan_runner() {
  local dir="$build/tsan-probe"
  mkdir -p "$dir"
  printf '#include <thread>\nint main(){int x=0;std::thread t([&]{x=1;});t.join();return x-1;}\n' \
    >"$dir/probe.cpp"
  c++ -fsanitize=thread -pthread "$dir/probe.cpp" -o "$dir/probe" ||
    zkpp_die "cannot build a TSan probe"
  if "$dir/probe" >/dev/null 2>&1; then
    return 0
  fi
  if setarch "$(uname -m)" -R "$dir/probe" >/dev/null 2>&1; then
    zkpp_log "TSan needs ASLR off here: running tests under setarch -R"
    runner=(setarch "$(uname -m)" -R)
    return 0
  fi
  if ((EUID == 0)) && sysctl -w vm.mmap_rnd_bits=28 >/dev/null 2>&1 && "$dir/probe" >/dev/null 2>&1; then
    zkpp_log "TSan needed vm.mmap_rnd_bits=28 (set)"
    return 0
  fi
  "$dir/probe" || true
  zkpp_die "ThreadSanitizer binaries do not run on this machine (see above)"
}

jobs="$(zkpp_jobs)"
zkpp_log "configure $build"
zkpp_configure "$build" "${cmake_args[@]}"
zkpp_log "build $build (-j$jobs)"
cmake --build "$build" -j "$jobs"
if [[ "$sanitize" == thread ]]; then
  tsan_runner
fi

started=$SECONDS
zkpp_log "ctest $build"
# Two jobs suit two cores: integration programs each run their own server.
ctest_status=0
"${runner[@]}" ctest --test-dir "$build" --output-on-failure --timeout 600 -j 2 \
  "${ctest_args[@]}" || ctest_status=1
status=$ctest_status
zkpp_log "ctest took $((SECONDS - started)) s"

# The failed tests and what they said, repeated at the very end: a CI log is
# often shown as its head and tail only, and a failure sits in the middle.
report_failed_tests() {
  local tmp="$build/Testing/Temporary"
  zkpp_log "failed tests:"
  cat "$tmp/LastTestsFailed.log" 2>/dev/null || true
  grep -E '^\[  FAILED  \] [A-Za-z_/]+\.' "$tmp/LastTest.log" 2>/dev/null | sort -u | head -n 20 || true
  zkpp_log "what they reported (first 60 lines):"
  grep -E -A 3 'Failure$|timed out after|what\(\)|Sanitizer' "$tmp/LastTest.log" 2>/dev/null |
    head -n 60 || true
}

run_fuzzers() {
  local fb="$base-fuzz"
  zkpp_log "configure $fb (clang, libFuzzer)"
  # fuzzer-no-link instruments the libraries too (coverage + ASan/UBSan).
  CC=clang CXX=clang++ zkpp_configure "$fb" -DZKPP_BUILD_FUZZERS=ON -DZKPP_BUILD_TESTS=ON \
    -DZKPP_BUILD_EXAMPLES=OFF -DZKPP_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined" || return 1
  local targets
  targets="$(cmake --build "$fb" --target help | sed -n 's/^\(zkpp_fuzz_[A-Za-z0-9_]*\):.*/\1/p' |
    sort -u)"
  if [[ -z "$targets" ]]; then
    zkpp_log "no zkpp_fuzz_* targets"
    return 0
  fi
  # shellcheck disable=SC2086 # one word per target
  cmake --build "$fb" -j "$jobs" --target $targets || return 1
  local t bin rc=0
  for t in $targets; do
    bin="$(find "$fb" -type f -perm -u+x -name "$t" | head -n 1)"
    [[ -n "$bin" ]] || { zkpp_log "$t built but not found"; rc=1; continue; }
    mkdir -p "$fb/corpus/$t" "$fb/artifacts/$t"
    # The golden vectors are valid encodings: a good seed for every decoder.
    python3 - "$ZKPP_ROOT/tests/data/vectors.json" "$fb/corpus/$t" <<'PY'
import json, sys, os
for i, v in enumerate(json.load(open(sys.argv[1]))):
    with open(os.path.join(sys.argv[2], "vector-%03d" % i), "wb") as f:
        f.write(bytes.fromhex(v["hex"]))
PY
    zkpp_log "fuzz $t for ${fuzz_seconds} s"
    ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:print_stacktrace=1" \
      UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
      "$bin" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$fb/artifacts/$t/" -print_final_stats=1 "$fb/corpus/$t" \
      >"$fb/$t.log" 2>&1 || {
      tail -n 60 "$fb/$t.log" >&2
      zkpp_log "FAILED: $t (crash input under $fb/artifacts/$t/)"
      rc=1
      continue
    }
    grep -E '^(Done|stat::number_of_executed_units)' "$fb/$t.log" >&2 || true
  done
  return "$rc"
}

if [[ -z "$sanitize" && "$fuzz_seconds" != 0 ]]; then
  if command -v clang++ >/dev/null; then
    run_fuzzers || status=1
  else
    zkpp_log "clang++ not found: fuzzers skipped"
  fi
fi

if ((status != 0)); then
  ((ctest_status == 0)) || report_failed_tests
  zkpp_log "FAILED"
else
  zkpp_log "all passed"
fi
exit "$status"
