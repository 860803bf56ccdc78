# Shared by scripts/run and scripts/test: install what is missing, build.
# Sourced, not executed.

TD_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config git tzdata
  postgresql-15 libboost1.81-dev nlohmann-json3-dev libpq-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libssl-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libexpected-dev
  libhowardhinnant-date-dev python3-jsonschema
)
# Not listed: prometheus, for `promtool check metrics` in the metrics test:
# installing it would install (and start) a Prometheus server. scripts/test
# takes promtool alone out of the package instead (td_ensure_promtool).

td_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the packages that are missing; runs apt-get update first, because
# on a fresh machine the package lists are empty.
td_ensure_packages() {
  local missing=()
  local p
  for p in "${TD_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  td_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  td_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The embedded PostgreSQL cluster (persistence/pg_cluster.h) runs as this
# unprivileged system user when tradingd runs as root: PostgreSQL refuses to
# run as root. The same user as systemd/tradingd.service's User=.
td_ensure_pg_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! id tradingd >/dev/null 2>&1; then
    echo "==> creating the system user tradingd (runs the embedded PostgreSQL cluster)"
    useradd --system --no-create-home --shell /usr/sbin/nologin tradingd
  fi
}

# td_ensure_pg_reachable DIR: as root, the private cluster under DIR runs as
# tradingd, which must be able to enter every directory on the way (a clone
# under /root is not). Grants search (x) only, to that user only, with an
# ACL entry on each directory that lacks it, and says which.
td_ensure_pg_reachable() {
  [ "$(id -u)" -eq 0 ] || return 0
  local d
  d=$(realpath -m "$1")
  local blocked=()
  while [ "$d" != "/" ]; do
    d=$(dirname "$d")
    [ -d "$d" ] || continue
    runuser -u tradingd -- test -x "$d" 2>/dev/null || blocked+=("$d")
  done
  [ ${#blocked[@]} -eq 0 ] && return 0
  td_ensure_packages acl
  local b
  for b in "${blocked[@]}"; do
    echo "==> letting the user tradingd enter $b (ACL u:tradingd:x) for the embedded PostgreSQL"
    setfacl -m u:tradingd:x "$b"
  done
}

# Exports PROMTOOL: promtool from PATH, or from Debian's prometheus package
# unpacked (not installed) under ~/.cache/tradingd once. Without network the
# metrics test says it skipped; nothing else depends on it.
td_ensure_promtool() {
  if command -v promtool >/dev/null; then
    export PROMTOOL=$(command -v promtool)
    return 0
  fi
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/tradingd/prometheus"
  if [ ! -x "$dir/usr/bin/promtool" ]; then
    echo "==> fetching promtool (Debian package prometheus, unpacked, not installed)"
    local tmp
    tmp=$(mktemp -d)
    if (cd "$tmp" && { apt-get download -q prometheus >/dev/null 2>&1 ||
      { td_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
        apt-get download -q prometheus >/dev/null; }; }) &&
      mkdir -p "$dir" && dpkg-deb -x "$tmp"/prometheus_*.deb "$dir"; then
      :
    else
      echo "==> promtool unavailable: the metrics exposition test will skip"
    fi
    rm -rf "$tmp"
  fi
  [ -x "$dir/usr/bin/promtool" ] && export PROMTOOL="$dir/usr/bin/promtool"
  return 0
}

# td_build DIR BUILD_TYPE [cmake args...]; TD_TARGET limits the build to one target.
td_build() {
  local dir=$1 type=$2
  shift 2
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)" ${TD_TARGET:+--target "$TD_TARGET"}
}
