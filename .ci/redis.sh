# Sourced by .ci/run: a redis-server on 127.0.0.1 for the Redis tests (REDIS_TEST_URL).
# Reuses a Redis that already answers on the port; otherwise starts one (nothing written to
# disk) and stops it when the calling shell exits, whether it succeeds, fails or is
# interrupted, so CI leaves no process behind.
#
#   start_test_redis [port]     # default 6379
test_redis_pid=

start_test_redis() {
  local port=${1:-6379}
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "Reusing the Redis that answers on 127.0.0.1:$port (not stopped afterwards)."
    return 0
  fi
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --loglevel warning &
  test_redis_pid=$!
  trap stop_test_redis EXIT
  # An interrupted run still exits through the EXIT trap.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$test_redis_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "redis-server did not start on 127.0.0.1:$port" >&2
  return 1
}

stop_test_redis() {
  [ -n "$test_redis_pid" ] || return 0
  kill "$test_redis_pid" 2>/dev/null || true
  wait "$test_redis_pid" 2>/dev/null || true
  test_redis_pid=
}
