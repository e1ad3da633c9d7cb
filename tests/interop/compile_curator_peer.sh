#!/bin/sh
# Compiles CuratorPeer.java into OUT_DIR/classes and writes OUT_DIR/peer.args:
# the command that runs the peer, one argument a line (the test appends the
# connect string). Exits 77 (skipped) when a JDK or Curator's jars are
# missing, except under CI=true, where that is a failure.
# Usage: compile_curator_peer.sh SOURCE OUT_DIR
set -u
src=$1
out=$2
jars=/usr/share/java

unavailable() {
  echo "Curator peer unavailable: $*" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
}

rm -f "$out/peer.args"
for jar in curator-recipes curator-framework curator-client zookeeper guava slf4j-simple; do
  [ -r "$jars/$jar.jar" ] ||
    unavailable "$jars/$jar.jar missing (apt-get install libcurator-recipes-java libslf4j-java)"
done
javac=$(command -v javac) || unavailable "javac not found (apt-get install default-jdk-headless)"
java=$(command -v java) || unavailable "java not found (apt-get install default-jre-headless)"

# The Debian jars name their dependencies in their manifests' Class-Path.
classpath="$out/classes:$jars/curator-recipes.jar:$jars/slf4j-simple.jar"
mkdir -p "$out/classes" || exit 1
"$javac" -Xlint:all,-path -Werror -d "$out/classes" -cp "$classpath" "$src" || exit 1
# Written whole, then renamed: a half-written file never looks usable.
printf '%s\n' "$java" -XX:TieredStopAtLevel=1 -cp "$classpath" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn CuratorPeer >"$out/peer.args.tmp" &&
  mv "$out/peer.args.tmp" "$out/peer.args"
