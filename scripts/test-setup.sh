#!/usr/bin/env bash
# `npm test`'s set-up (pretest): make sure PostgreSQL and Redis answer on this machine and the Debian tools the
# tests read PDFs with are installed. Starts or installs what is missing; says clearly what it could not do.
set -u

say() { printf 'test-setup: %s\n' "$*"; }
fail() { printf 'test-setup: ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(printf 'PING\r\n' | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; cat >&3; head -c 5 <&3' 2>/dev/null)" = "+PONG" ]; }

# Debian packages: poppler-utils (pdftotext, pdfsig), qpdf, fonts-liberation2 (Decree 30's Times-metric serif), chromium.
missing=()
command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation2)
# Debian's chromium for the browser tests (test/e2e/browser, driven by playwright-core; no browser is downloaded).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  say "installing Debian packages: $pkgs"
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null; }; then
    fail "could not install $pkgs (needs root or passwordless sudo and Debian's package mirror). Install them by hand: apt-get install $pkgs"
  fi
fi

if ! pg_up; then
  say "PostgreSQL is not answering on 127.0.0.1:5432, starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || fail "PostgreSQL did not start; start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
fi

if ! redis_up; then
  say "Redis is not answering on 127.0.0.1:6379, starting it"
  command -v redis-server >/dev/null 2>&1 || fail "redis-server is not installed (apt-get install redis-server)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  redis_up || fail "Redis did not start; start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no"
fi
say "PostgreSQL, Redis and the PDF tools are ready"
