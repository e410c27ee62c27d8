#!/bin/sh
# Build a plain PostgreSQL image from this machine's own PostgreSQL files, with no registry:
# the server's bin/ and lib/ (pg_config --bindir/..), its share/ directory (extensions such as
# pgTAP come along), the shared libraries ldd lists for them, /bin/sh, and an entrypoint that
# behaves like the official image's (POSTGRES_PASSWORD, initdb on first start, `postgres -c ...`
# arguments). `docker import` turns the root filesystem into an image. About 90 MB, seconds.
#
# Usage: tests/docker/build_image.sh [TAG]     (default TAG: khepri-pg15:local; env PG_CONFIG)
# The docker engine's tests use it through KHEPRI_DOCKER_IMAGE (see .ci/run). Runs as root (or a
# member of the docker group); writes nothing outside a temporary directory and the image store.
set -eu
TAG=${1:-khepri-pg15:local}
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
PKGDIR=$(dirname "$BINDIR")                      # e.g. /usr/lib/postgresql/15
SHAREDIR=$("$PG_CONFIG" --sharedir)              # e.g. /usr/share/postgresql/15
command -v docker >/dev/null || { echo "build_image.sh: no docker client on PATH" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "build_image.sh: no Docker engine answers (start dockerd)" >&2; exit 2; }

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
# merged /usr (Debian 12): /bin, /lib, /lib64 are links into /usr; the image keeps that layout, so
# the loader's and libraries' link names resolve inside it as they do here
for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then
        mkdir -p "$ROOT/usr/$d"
        ln -s "usr/$d" "$ROOT/$d"
    fi
done
copy() {  # copy a file or directory with its parents into the root filesystem
    mkdir -p "$ROOT$(dirname "$1")"
    cp -a "$1" "$ROOT$1"
}
copy "$PKGDIR"
copy "$SHAREDIR"
[ -d /usr/share/zoneinfo ] && copy /usr/share/zoneinfo
SH=$(readlink -f /bin/sh)
copy "$SH"
[ -e "$ROOT/bin/sh" ] || { mkdir -p "$ROOT/bin"; ln -s "$SH" "$ROOT/bin/sh"; }
# every shared library the binaries and modules need, the dynamic loader included
for f in "$SH" "$PKGDIR"/bin/* "$PKGDIR"/lib/*.so; do
    ldd "$f" 2>/dev/null | awk '/=>/ { print $3 } !/=>/ && /^\t\// { print $1 }'
done | sort -u | while read -r lib; do
    [ -n "$lib" ] && [ -e "$lib" ] || continue
    copy "$lib"
    real=$(readlink -f "$lib")
    [ "$real" = "$lib" ] || copy "$real"
done

mkdir -p "$ROOT/etc" "$ROOT/tmp" "$ROOT/var/run/postgresql" "$ROOT/var/lib/postgresql/data" "$ROOT/usr/local/bin"
chmod 1777 "$ROOT/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' > "$ROOT/etc/group"
chown -R 999:999 "$ROOT/var/run/postgresql" "$ROOT/var/lib/postgresql"
chmod 700 "$ROOT/var/lib/postgresql/data"
cat > "$ROOT/usr/local/bin/docker-entrypoint.sh" <<ENTRY
#!/bin/sh
# As the official postgres image: initdb on first start (superuser postgres, POSTGRES_PASSWORD,
# scram-sha-256), then \`postgres [-c name=value ...]\` runs the server in the foreground.
set -eu
PGDATA=\${PGDATA:-/var/lib/postgresql/data}
if [ ! -s "\$PGDATA/PG_VERSION" ]; then
    umask 077
    printf '%s\n' "\${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > /tmp/.pwfile
    $BINDIR/initdb -D "\$PGDATA" -U postgres --pwfile=/tmp/.pwfile --auth=scram-sha-256 \\
        --encoding=UTF8 --locale=C >/dev/null
    : > /tmp/.pwfile
fi
[ "\${1:-}" = postgres ] && shift
exec $BINDIR/postgres -D "\$PGDATA" "\$@"
ENTRY
chmod 755 "$ROOT/usr/local/bin/docker-entrypoint.sh"

tar -C "$ROOT" -c . | docker import \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'USER 999' \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    --message "khepri-db: PostgreSQL from $PKGDIR, built by tests/docker/build_image.sh" \
    - "$TAG" >/dev/null
echo "$TAG"
