#!/usr/bin/env bash
# Installs the Debian libraries the node loads through P/Invoke when a fresh machine lacks them.
# Sourced by ./pwr and ./test.sh; says what it installs.
ensure_native_deps() {
  local missing=()
  # Not `ldconfig -p | grep -q`: grep's early exit makes ldconfig fail with SIGPIPE under pipefail.
  local libs; libs="$(ldconfig -p 2>/dev/null || true)"
  [[ "$libs" == *"libsecp256k1.so.1 "* ]] || missing+=(libsecp256k1-1)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "pwr: installing Debian packages this machine lacks: ${missing[*]} (secp256k1 for Ethereum signatures)..." >&2
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2; then
    echo "pwr: could not install ${missing[*]}; install them with apt-get and retry." >&2
    return 1
  fi
}
