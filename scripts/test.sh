#!/usr/bin/env bash
# `npm test`: the whole suite — unit, integration and end-to-end — against the real PostgreSQL and
# RabbitMQ of this machine, in a database per suite and a RabbitMQ vhost of this run's own, so
# runs never collide. Ends with one line `N passed, N failed` counted from jest's own results.
set -u
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/ensure-tools.sh

RUN_ID="r$(date +%s)_$$"
export MAILROOM_TEST_RUN="$RUN_ID"
VHOST=""
if command -v rabbitmqctl >/dev/null 2>&1 && rabbitmqctl add_vhost "mailroom_test_$RUN_ID" >/dev/null 2>&1; then
  VHOST="mailroom_test_$RUN_ID"
  rabbitmqctl set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null 2>&1
  export AMQP_URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"
fi

cleanup() {
  if [ -n "$VHOST" ]; then rabbitmqctl delete_vhost "$VHOST" >/dev/null 2>&1 || true; fi
  # Databases of suites that could not drop their own (a crash): this run's only.
  psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'mailroom_test_${RUN_ID,,}%'" 2>/dev/null |
    while read -r db; do psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1; done
}
trap cleanup EXIT

rm -f dist/test-counts.txt
npx jest --ci "$@"
status=$?
if [ -f dist/test-counts.txt ]; then
  cat dist/test-counts.txt
else
  echo "0 passed, 1 failed"
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
