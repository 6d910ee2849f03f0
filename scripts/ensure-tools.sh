#!/usr/bin/env bash
# The mail tools the real-MTA tests and the benchmark use: Postfix (its smtpd relays into ingest in
# tests/e2e/postfix-relay.e2e.spec.ts; smtp-source/smtp-sink give the raw SMTP baseline in bench/)
# and swaks; Chromium for the browser step of tests/e2e/satisfaction.e2e.spec.ts. Installed from Debian's packages when missing and we may (root with apt-get); the
# tests that need them say so and take their fallback path when they are still missing.
set -u
missing=()
command -v postfix >/dev/null 2>&1 || missing+=(postfix)
command -v swaks >/dev/null 2>&1 || missing+=(swaks)
# Postfix's SASL client (to log in to ingest's AUTH) comes from this package.
dpkg -s libsasl2-modules >/dev/null 2>&1 || missing+=(libsasl2-modules)
[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "not installing ${missing[*]} (needs root and apt-get); the tests that use them fall back" >&2
  exit 0
fi
echo "installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
# No system mail configuration: the tests run Postfix instances of their own.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
timeout 300 apt-get update -qq >/dev/null 2>&1 || true
timeout 300 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || echo "could not install ${missing[*]}; the tests that use them fall back" >&2
# The package starts a system Postfix where it can; the tests run their own instance instead.
if command -v postfix >/dev/null 2>&1; then postfix stop >/dev/null 2>&1 || true; fi
exit 0
