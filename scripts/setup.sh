#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests and benchmarks need:
# PHP (CLI, mysqli, sqlite3) and PHPUnit, WordPress core, and MariaDB when no
# server is running. Idempotent: does nothing when everything is present.
set -euo pipefail

need=()
command -v php >/dev/null 2>&1 || need+=(php-cli)
# Read the module list once: `php -m | grep -q` would trip pipefail on SIGPIPE.
modules=$(php -m 2>/dev/null || true)
has_module() { grep -qix "$1" <<< "$modules"; }
has_module mysqli || need+=(php-mysql)
has_module sqlite3 || need+=(php-sqlite3)
has_module mbstring || need+=(php-mbstring)
has_module xml || need+=(php-xml)
command -v phpunit >/dev/null 2>&1 || need+=(phpunit)
[ -f /usr/share/wordpress/wp-settings.php ] || need+=(wordpress)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-server)

if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# MariaDB: start it when it is installed but not answering.
if command -v mariadb >/dev/null 2>&1 && ! mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    echo "setup: starting MariaDB" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
    $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql || true
    for _ in $(seq 1 60); do
        mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 1
    done
fi
exit 0
