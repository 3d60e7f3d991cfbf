#!/usr/bin/env bash
# `make demo`: the bundled demo store (fixtures/demo-site, SQLite: no
# MariaDB needed) connected to a local Segmentflow API sandbox and synced.
#
#   scripts/demo.sh <segmentflow-wpcli binary>
#
# 1. copies fixtures/demo-site to a temp dir (the fixture stays pristine);
# 2. starts `<bin> sandbox --listen 127.0.0.1:0 --approve-after 1` and reads
#    its JSON line (base_url, poll_token, …) within 10 s;
# 3. points the copy's api_host at the sandbox (`settings set api_host`);
# 4. connects the copy: interactively (`connect --poll-token`, the sandbox
#    approves on the first poll), or by piping the credentials to
#    `connect --stdin` when the binary has no interactive flow;
# 5. runs `sync --full` (its report table on stdout);
# 6. prints the sandbox's own counts (GET /__sandbox/stats) and a verdict:
#    the report's sent counts against the unique ids the sandbox accepted.
# The sandbox is stopped and the temp dir removed on exit, also on failure;
# a failing step is named with its stderr. Needs bash and python3 (JSON).
set -euo pipefail
bin="${1:?usage: demo.sh <segmentflow-wpcli binary>}"
here=$(cd "$(dirname "$0")/.." && pwd)
fixture="$here/fixtures/demo-site"

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[[ -x "$bin" ]] || fail "no binary at $bin (make build)"
[[ -f "$fixture/wp-content/database/.ht.sqlite" ]] ||
  fail "the demo store $fixture is missing (scripts/make-demo-site.sh rebuilds it)"
command -v python3 > /dev/null || fail "python3 is needed to read the sandbox's JSON"
"$bin" --version

tmp=$(mktemp -d "${TMPDIR:-/tmp}/segmentflow-demo.XXXXXX")
sandbox_pid=""
cleanup() {
  if [[ -n "$sandbox_pid" ]]; then
    kill "$sandbox_pid" 2> /dev/null || true
    wait "$sandbox_pid" 2> /dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

site="$tmp/site"
cp -a "$fixture" "$site"
wp=("$bin" --path "$site")

# run STEP CMD…: runs CMD with its stderr kept; on failure names the step,
# shows the stderr and stops the demo.
run() {
  local step=$1
  shift
  local code=0
  "$@" 2> "$tmp/step.err" || code=$?
  if ((code != 0)); then
    printf 'demo: step "%s" failed (exit %s): %s\n' "$step" "$code" "$*" >&2
    sed 's/^/  | /' "$tmp/step.err" >&2
    exit 1
  fi
}

# run_live STEP CMD…: the same, with stderr shown as it comes (progress,
# the dashboard URL); a failure then only names the step.
run_live() {
  local step=$1
  shift
  local code=0
  "$@" 2> >(tee "$tmp/step.err" >&2) || code=$?
  if ((code != 0)); then
    printf 'demo: step "%s" failed (exit %s, its stderr is above): %s\n' "$step" "$code" "$*" >&2
    exit 1
  fi
}

has() { "$bin" help "$1" > /dev/null 2>&1; }

say "The demo store (a copy of fixtures/demo-site)"
run "status of the demo store" "${wp[@]}" status --fields=database,woocommerce_active,order_storage,connected,site_url

missing=()
for cmd in sandbox connect sync; do
  has "$cmd" || missing+=("$cmd")
done
if ((${#missing[@]})); then
  printf '\ndemo: not yet — this binary lacks the %s subcommand(s); the demo store above is ready, and the full flow (sandbox, connect, sync --full, counts) runs once they land.\n' \
    "${missing[*]}"
  exit 0
fi

say "Starting the Segmentflow API sandbox"
"$bin" sandbox --listen 127.0.0.1:0 --approve-after 1 > "$tmp/sandbox.out" 2> "$tmp/sandbox.err" &
sandbox_pid=$!
line=""
for _ in $(seq 1 100); do
  line=$(head -n 1 "$tmp/sandbox.out" 2> /dev/null || true)
  [[ -n "$line" ]] && break
  kill -0 "$sandbox_pid" 2> /dev/null || break
  sleep 0.1
done
if [[ -z "$line" ]]; then
  printf 'demo: step "start the sandbox" failed: no JSON line within 10 s\n' >&2
  sed 's/^/  | /' "$tmp/sandbox.err" >&2
  exit 1
fi
printf '%s\n' "$line" > "$tmp/sandbox.json"
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$tmp/sandbox.json" "$1"; }
base_url=$(field base_url)
poll_token=$(field poll_token)
echo "sandbox at $base_url (organization \"$(field organization_name)\")"

say "Pointing the store at the sandbox"
run "settings set api_host" "${wp[@]}" settings set api_host "$base_url"

say "Connecting"
connect_help=$("$bin" help connect 2> /dev/null || true)
if [[ "$connect_help" == *--poll-token* ]]; then
  echo "(interactive flow: connect polls the sandbox with the poll token, which the sandbox approves after one pending answer)"
  interval=()
  [[ "$connect_help" == *--poll-interval-ms* ]] && interval=(--poll-interval-ms 500)
  run_live "connect --poll-token" "${wp[@]}" connect --poll-token "$poll_token" "${interval[@]}" < /dev/null
  echo "(the sandbox approved the token by itself: no dashboard visit needed here)"
else
  echo "(non-interactive: the sandbox's credentials on stdin)"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({k: d[k] for k in ("write_key","organization_name","organization_id","webhook_secret","webhook_delivery_url")}))' \
    "$tmp/sandbox.json" > "$tmp/credentials.json"
  run_live "connect --stdin" "${wp[@]}" connect --stdin < "$tmp/credentials.json"
fi
run "status after connect" "${wp[@]}" status --fields=connected,organization_name,api_host

say "Full sync"
# SHELL_PIPE=0: the report is drawn as on a terminal even though it is also
# kept (tee) for the verdict.
set +e
SHELL_PIPE=0 "${wp[@]}" sync --full | tee "$tmp/report.txt"
sync_code=${PIPESTATUS[0]}
set -e
case $sync_code in
  0) ;;
  3) echo "demo: sync finished with failures (exit 3, partial); counts follow" >&2 ;;
  *)
    printf 'demo: step "sync --full" failed (exit %s, its stderr is above)\n' "$sync_code" >&2
    exit 1
    ;;
esac

say "What the sandbox received (GET /__sandbox/stats)"
python3 - "$base_url" "$tmp/report.txt" <<'PY'
import json, sys, urllib.request

base, report_path = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(base + "/__sandbox/stats", timeout=10) as r:
        stats = json.load(r)
except Exception as e:  # noqa: BLE001 - any failure is reported the same way
    sys.exit(f'demo: step "GET /__sandbox/stats" failed: {e}')
print(json.dumps(stats, indent=2))

# The report table: ASCII borders ("| a | b |") or tab-separated.
rows, header = [], None
for line in open(report_path, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("|"):
        cells = [c.strip() for c in line.strip("|").split("|")]
    elif "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    else:
        continue
    if header is None:
        header = cells
    else:
        rows.append(dict(zip(header, cells)))
sent = {}
for row in rows:
    try:
        sent[row["resource"]] = int(row["sent"])
    except (KeyError, ValueError):
        pass
sent.pop("total", None)
if not sent:
    sys.exit("demo: verdict: could not read the sent counts from the sync report")

resources = stats.get("deliveries", {}).get("resources", {})
received = {
    "orders": resources.get("order", {}).get("unique_ids", 0),
    "customers": resources.get("customer", {}).get("unique_ids", 0),
    "products": resources.get("product", {}).get("unique_ids", 0),
    "users": stats.get("identify_events", 0),
}
parts, ok = [], True
for name, n in sent.items():
    got = received.get(name)
    if got is None:
        parts.append(f"{name} {n} sent")
        continue
    parts.append(f"{name} {n}/{got}")
    ok = ok and n == got
doubled = stats.get("deliveries", {}).get("duplicate", 0) + stats.get("ingest", {}).get("duplicate", 0)
verdict = "OK: every item sent was received once" if ok else "MISMATCH between sent and received"
print(f"\nverdict: {verdict} (sent/received unique: {', '.join(parts)}; duplicates {doubled})")
sys.exit(0 if ok else 1)
PY
