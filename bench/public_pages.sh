#!/usr/bin/env bash
# Requests per second of public pages against a bare Flask route, same server, same settings.
# Our bar: every public page serves at least 25 % of the bare route's rate.
# Needs wrk (apt-get install wrk). Usage: bench/public_pages.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
workers=${WORKERS:-$(nproc)}
port=${PORT:-5077}
work=$(mktemp -d)
trap 'kill $(cat "$work/pid") 2>/dev/null || true; rm -rf "$work"' EXIT

export APP_ENV=production SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$work/bench.sqlite} SESSION_COOKIE_SECURE=false FLASK_APP=wsgi.py
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask seed-demo >/dev/null
.venv/bin/gunicorn --workers "$workers" --bind 127.0.0.1:$port --pid "$work/pid" --daemon \
  --error-logfile "$work/gunicorn.log" bench.bench_app:app
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

slug=$(curl -fs "http://127.0.0.1:$port/?lang=en" | grep -o '/events/[a-z0-9-]*/' | head -1)
slug=${slug%/}/
declare -A rate
pages=(/bench/bare "/?lang=en" "/?lang=fr" "/?lang=en&city=lyon&format=in_person" "${slug}?lang=en" "${slug}?lang=fr" "${slug}agenda?lang=fr"
       "${slug}background?lang=en" "${slug}register?lang=fr" "${slug}participants?lang=en" "${slug}calendar.ics"
       /calendar.ics /healthz)
for path in "${pages[@]}"; do
  wrk -t2 -c"$connections" -d2s "http://127.0.0.1:$port$path" >/dev/null   # warm up
  rps=$(wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
  rate[$path]=$rps
done
bare=${rate[/bench/bare]}
printf '%-52s %10s %8s\n' "page" "req/s" "of bare"
for path in "${pages[@]}"; do
  printf '%-52s %10.0f %7.1f%%\n' "$path" "${rate[$path]}" "$(echo "100*${rate[$path]}/$bare" | bc -l)"
done
echo "gunicorn workers: $workers, wrk connections: $connections, ${seconds}s per page, database: ${DATABASE_URL%%:*}"
