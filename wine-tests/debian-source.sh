#!/bin/sh
# debian-source.sh PACKAGE DEST WORK
#
# Fetches the Debian 12 (bookworm) source package PACKAGE and unpacks it into
# DEST (which must not exist), for the builds that cross-compile a Debian
# library for mingw at build time (build-check.sh: Check; bench/build-libuv.sh:
# libuv).  Nothing is kept in the repository.
#
# apt-get runs with a private sources list (a deb-src line for the mirror
# this machine uses), lists folder and cache, all under WORK; the machine's apt
# configuration is untouched.  dpkg-source unpacks with Debian's patches when
# it is installed; otherwise the upstream tarball alone is unpacked.
#
# Needs apt-get and tar; run as root (apt-get update into the private lists).
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 PACKAGE DEST WORK" >&2
    exit 2
fi
PKG=$1 DEST=$2 WORK=$3
SUITE=bookworm

# --- the Debian mirror this machine uses --------------------------------------
# First URI serving the bookworm suite in the one-line (*.list) or deb822
# (*.sources) format; deb.debian.org if none is found.
debian_mirror() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '
            $1 == "deb" || $1 == "deb-src" {
                i = 2
                if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite) { print $i; exit }
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '
            BEGIN { RS = ""; FS = "\n" }
            {
                types = ""; uris = ""; suites = ""; enabled = "yes"
                for (n = 1; n <= NF; n++) {
                    line = $n
                    if (line ~ /^#/ || line ~ /^[ \t]/ || line !~ /:/) continue
                    key = tolower(line); sub(/:.*/, "", key)
                    val = line; sub(/^[^:]*:[ \t]*/, "", val)
                    if (key == "types") types = val
                    else if (key == "uris") uris = val
                    else if (key == "suites") suites = val
                    else if (key == "enabled") enabled = tolower(val)
                }
                if (enabled != "no" && types ~ /deb/ &&
                    (" " suites " ") ~ (" " suite " ")) {
                    split(uris, u, /[ \t]+/); print u[1]; exit
                }
            }' "$f"
    done
}
MIRROR=$(debian_mirror | head -n 1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# --- fetch with a private apt setup ---------------------------------------------
APT=$WORK/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$WORK/dl"
chmod 755 "$WORK" # apt's unprivileged download user must reach its files
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
if [ -f "$KEYRING" ]; then
    echo "deb-src [signed-by=$KEYRING] $MIRROR $SUITE main" >"$APT/sources.list"
else
    echo "deb-src $MIRROR $SUITE main" >"$APT/sources.list"
fi
set -- \
    -o "Dir::Etc::SourceList=$APT/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null \
    -o "Dir::State::Lists=$APT/lists" \
    -o "Dir::Cache=$APT/cache"

echo "debian-source: fetching $PKG source ($SUITE, $MIRROR)"
apt-get -q "$@" update
# Let apt's unprivileged download user write the files (avoids a warning).
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
    chown _apt "$WORK/dl"
fi
(cd "$WORK/dl" && apt-get -q "$@" source --download-only "$PKG")

# --- unpack ------------------------------------------------------------------
if command -v dpkg-source >/dev/null 2>&1; then
    dpkg-source -x "$(ls "$WORK/dl/${PKG}"_*.dsc)" "$DEST"
else
    mkdir "$WORK/orig"
    tar -xf "$(ls "$WORK/dl/${PKG}"_*.orig.tar.*)" -C "$WORK/orig"
    mv "$WORK"/orig/* "$DEST"
fi
