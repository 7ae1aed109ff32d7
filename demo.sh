#!/usr/bin/env bash
# Ebb's demo: two JVMs of an example app under keep-alive load, restarted one by one by a real SIGTERM,
# with Ebb and then without it; prints a live line per second and a side-by-side tally.
#   ./demo.sh [--app=jetty|undertow|netty|spring-boot|spring-boot3|spring-boot3-jetty|...] [--lb=builtin|haproxy]
set -euo pipefail
cd "$(dirname "$0")"
app=jetty
for arg in "$@"; do
  case "$arg" in
    --app=*) app="${arg#--app=}" ;;
  esac
done
if [ ! -f "examples/$app/pom.xml" ]; then
  echo "no example app '$app' (try jetty, undertow, netty, spring-boot, spring-boot3, spring-boot3-jetty, spring-boot3-undertow or spring-boot3-reactor-netty)" >&2
  exit 2
fi
# Writes ebb-demo-<app>.html, a picture of both runs, and prints its path.
echo "Building examples/$app and the demo (mvn -B -q -DskipTests package)..."
mvn -B -q -DskipTests package -pl "examples/$app,examples/e2e" -am
exec java -cp examples/e2e/target/classes dev.ebb.e2e.Demo "$@"
