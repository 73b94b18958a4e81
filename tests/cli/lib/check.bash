# Sourced by every command-line test script (tests/cli/*.sh): a scratch
# directory $work removed on exit, a failure count $fails, and
#   check NAME COMMAND...   runs COMMAND and prints "ok   NAME" or "FAIL NAME".
# A script ends with: [ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
check() {
  local name=$1
  shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
