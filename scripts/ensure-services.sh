#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on 127.0.0.1, starting them when they are installed but
# stopped (as on the development machines and CI). Waits until both accept connections.
set -u

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
mq_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

if ! pg_up; then
  echo "PostgreSQL is not answering; starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  fi
fi
if ! mq_up; then
  echo "RabbitMQ is not answering; starting it"
  if command -v rabbitmq-server >/dev/null 2>&1; then rabbitmq-server -detached || true; fi
fi
for _ in $(seq 1 60); do
  if pg_up && mq_up; then break; fi
  sleep 1
done
pg_up || { echo "PostgreSQL is still not reachable on 127.0.0.1:5432" >&2; exit 1; }
mq_up || { echo "RabbitMQ is still not reachable on 127.0.0.1:5672" >&2; exit 1; }
# RabbitMQ accepts TCP before it is ready for AMQP; wait for the broker itself when we can ask it.
if command -v rabbitmqctl >/dev/null 2>&1; then rabbitmqctl await_startup >/dev/null 2>&1 || true; fi
