#!/usr/bin/env bash
# The README's tour of the CLI: run it, and paste what it prints. Every command is
# the real CLI on a fresh SQLite file in a temporary folder, with the real clock.
#   bash examples/tour.sh            (needs `mohlat` on PATH, e.g. .venv/bin)
#   bash examples/tour.sh --remote   the same, every person's command going through a
#                                    `mohlat serve` on a free local port (the operator's
#                                    init, backup and scheduler stay on the database)
set -uo pipefail
remote="${1:-}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
cp "$here/offices.csv" .
export COLUMNS=100 MOHLAT_DB=tour.db

run() {  # print the command as typed, then what it prints
  echo "\$ $*"
  eval "$@" 2>&1
}

run 'MOHLAT_PASSWORD=change-me-now mohlat init'
if [ "$remote" = "--remote" ]; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  mohlat serve --port "$port" >server.log 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    python3 -c "import urllib.request as u; u.urlopen(\"http://127.0.0.1:$port/healthz\")" 2>/dev/null && break
    sleep 0.1
  done
  export MOHLAT_SERVER="http://127.0.0.1:$port"
fi
export MOHLAT_USER=admin MOHLAT_PASSWORD=change-me-now
run 'mohlat office import offices.csv'
run 'mohlat campaign create 1405-3 --title "Evaluation 1405, round 3" --first-day ۱۴۰۵/۰۹/۰۱ --last-day 1405/09/20'
run 'MOHLAT_NEW_PASSWORD=sup3-secret-1 mohlat user add sup3 --role supervisor --region 3'
run 'MOHLAT_USER=0012345679 MOHLAT_PASSWORD=0012345679 mohlat declare -f office_space=64'
code_line="$(mohlat user activation-code 0012345679)"
echo '$ mohlat user activation-code 0012345679'
echo "$code_line"
code="$(echo "$code_line" | sed -E 's/.*: ([A-Z0-9]{5}-[A-Z0-9]{5}).*/\1/')"
run "MOHLAT_USER=0012345679 MOHLAT_ACTIVATION_CODE=$code MOHLAT_NEW_PASSWORD=my-office-pass-1 mohlat activate"
run 'MOHLAT_USER=0012345679 MOHLAT_PASSWORD=my-office-pass-1 mohlat declare -f office_space=64 -f staff_count=۴ -f location=city'
run 'MOHLAT_USER=0012345679 MOHLAT_PASSWORD=my-office-pass-1 mohlat declare -f office_space=64 -f staff_count=۴ -f location=city -f holder_years=6'
run 'MOHLAT_USER=sup3 MOHLAT_PASSWORD=sup3-secret-1 mohlat case list'
run 'MOHLAT_USER=sup3 MOHLAT_PASSWORD=sup3-secret-1 mohlat refer P10101 --reason "check the lease"'
run 'mohlat due --within 14d'
run 'mohlat deadline extend --window declaration --region 1 --to 1405/09/25 --reason "portal outage in Tehran"'
run 'mohlat deadline extend P10101 --days 1 --reason "documents delayed by the post"'

run 'mohlat case show P10101'
run 'MOHLAT_USER=0012345679 MOHLAT_PASSWORD=my-office-pass-1 mohlat declare -f staff_count=5 --if-version 1'
run 'mohlat verify'
run 'mohlat backup tour-backup.db'
run 'mohlat campaign show'
run 'mohlat scheduler tick'
run 'mohlat scheduler tick --at "1406/01/01 00:00"'
