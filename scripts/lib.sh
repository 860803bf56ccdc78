# Shared by scripts/run and scripts/test: install what is missing, build.
# Sourced, not executed.

TD_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config git tzdata
  libboost1.81-dev nlohmann-json3-dev libpq-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libssl-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libexpected-dev
  libhowardhinnant-date-dev python3-jsonschema
)
# Not listed: prometheus (for `promtool check metrics` in the metrics test,
# which skips without it): 19 MB download, 96 MB installed, and it installs
# a Prometheus server service. To run that test without the service:
#   apt-get download prometheus && dpkg-deb -x prometheus_*.deb /tmp/prom
#   cmake ... -DPROMTOOL=/tmp/prom/usr/bin/promtool   (or PROMTOOL=... at run time)

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

# td_build DIR BUILD_TYPE [cmake args...]; TD_TARGET limits the build to one target.
td_build() {
  local dir=$1 type=$2
  shift 2
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)" ${TD_TARGET:+--target "$TD_TARGET"}
}
