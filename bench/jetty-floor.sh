#!/usr/bin/env bash
# Starts JettyFloor (Jetty as esper's standalone server sets it up, with a handler that does no broker
# work), so that compare.sh can measure what Jetty alone costs beside Nchan:
#
#   ESPER_CMD="$PWD/jetty-floor.sh" ./compare.sh 3 publish_K16 idle_S10000
#
# Usage: jetty-floor.sh --port P [--bind ADDR] [--no-auth]   (compare.sh appends these)
#
# Uses the Jetty inside esper-standalone/target/esper.jar; build it first, from the repository root:
# mvn -B -q -pl esper-standalone -am package -Dmaven.test.skip=true
# JVM settings are those of esper-standalone/bin/esper; ESPER_JAVA_OPTS replaces them, JAVA picks the JVM
# (and JAVAC the compiler, default: javac on PATH).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="${ESPER_JAR:-$here/../esper-standalone/target/esper.jar}"
[ -f "$jar" ] || { echo "$0: $jar not found; build it first (see the head of this script)" >&2; exit 2; }
classes="${TMPDIR:-/tmp}/esper-jetty-floor.$(id -u)"
if [ ! -f "$classes/JettyFloor.class" ] || [ "$here/JettyFloor.java" -nt "$classes/JettyFloor.class" ] \
    || [ "$jar" -nt "$classes/JettyFloor.class" ]; then
  mkdir -p "$classes"
  "${JAVAC:-javac}" --release 17 -cp "$jar" -d "$classes" "$here/JettyFloor.java"
fi
# bin/esper's JVM settings, read from it, so that the floor runs with whatever esper runs with.
launcher="$here/../esper-standalone/bin/esper"
opts=$(sed -n 's/^exec .*ESPER_JAVA_OPTS:-\([^}]*\)}.*/\1/p' "$launcher")
[ -n "$opts" ] || { echo "$0: cannot read the JVM settings from $launcher" >&2; exit 2; }
# shellcheck disable=SC2086 # ESPER_JAVA_OPTS is a list of words on purpose
exec "${JAVA:-java}" ${ESPER_JAVA_OPTS:-$opts} -cp "$jar:$classes" JettyFloor "$@"
