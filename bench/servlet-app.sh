#!/usr/bin/env bash
# Starts esper's servlet in one of the project's embedded container apps (examples/.../embedded), so that
# compare.sh can measure the servlet in Tomcat 11 or Jetty 12 like the standalone server:
#
#   ESPER_CMD="$PWD/servlet-app.sh tomcat" \
#     ESPER_SSEBENCH_ARGS='--sub-path /events/subscribe/ --pub-path /events/publish/' ./compare.sh 3
#
# Usage: servlet-app.sh tomcat|jetty --port P [--bind ADDR] [--no-auth]   (compare.sh appends these)
#
# Runs the code of this working tree: examples/target/classes and the esper modules' target/classes, so
# build first, from the repository root: mvn -B -q -pl examples -am package -DskipTests
# The third-party class path comes from Maven once (examples/target/bench-classpath.txt; delete it after
# changing a dependency). JVM settings are those of esper-standalone/bin/esper; ESPER_JAVA_OPTS replaces
# them, JAVA picks the JVM. --no-auth is accepted and changes nothing: the apps leave a side open when its
# secret variable (ESPER_SUBSCRIBER_SECRET, ESPER_PUBLISHER_SECRET) is unset, and this script unsets both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

case "${1:-}" in
  tomcat) main=dev.esper.examples.embedded.TomcatEmbeddedApp ;;
  jetty) main=dev.esper.examples.embedded.JettyEmbeddedApp ;;
  *) echo "usage: $0 tomcat|jetty --port P [--bind ADDR] [--no-auth]" >&2; exit 2 ;;
esac
shift
port=8080
bind=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --port=*) port=${1#--port=}; shift ;;
    --bind) bind=$2; shift 2 ;;
    --bind=*) bind=${1#--bind=}; shift ;;
    --no-auth) shift ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
done

if [ ! -d "$root/examples/target/classes/dev/esper/examples/embedded" ]; then
  echo "$0: build first: mvn -B -q -pl examples -am package -DskipTests" >&2
  exit 2
fi
deps="$root/examples/target/bench-classpath.txt"
if [ ! -s "$deps" ]; then
  # With -am, so that esper's own modules resolve from this tree (nothing need be installed in ~/.m2); each
  # module writes the file in turn and examples, last in the reactor, writes it last.
  (cd "$root" && mvn -B -q -o -pl examples -am compile dependency:build-classpath -Dmdep.includeScope=runtime \
      -Dmdep.outputFile="$deps") >&2
fi
# esper's own modules from this tree, not from ~/.m2; everything else as Maven resolved it.
cp="$root/examples/target/classes"
for m in esper-core esper-jwt esper-servlet esper-redis esper-micrometer; do
  cp="$cp:$root/$m/target/classes"
done
cp="$cp:$(tr ':' '\n' < "$deps" | grep -v '/dev/esper/' | grep -v "^$root/" | paste -sd: -)"

unset ESPER_SUBSCRIBER_SECRET ESPER_PUBLISHER_SECRET
# shellcheck disable=SC2086 # ESPER_JAVA_OPTS is a list of words on purpose
exec "${JAVA:-java}" ${ESPER_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmn16m -Xmx1g -Xss512k} \
  -cp "$cp" "$main" "$port" "$bind"
