# Shared helpers of scripts/run, scripts/test and scripts/bench (sourced, not executed).
# They find Odoo 18 (or clone it when there is none), keep the project's Python packages in var/venv,
# make sure PostgreSQL runs, and write an Odoo configuration for this checkout.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR_DIR="$REPO_ROOT/var"
mkdir -p "$VAR_DIR"

say() { printf '\n==> %s\n' "$*"; }

# The project's Python: a virtual environment under var/, never the system's site-packages (Debian 12
# and Ubuntu 24.04 refuse pip there). It sees the system's packages only when the system Python already
# runs Odoo 18 (its requirements are then the system's, and nothing is downloaded).
VENV_DIR="$VAR_DIR/venv"
PY="$VENV_DIR/bin/python"
# Where Odoo 18 comes from when none is found (override with a mirror, e.g. file:///srv/mirrors/odoo.git).
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
ODOO_CLONE="$VAR_DIR/odoo"

# The interpreter the environment is made from (MKT_PYTHON=python3.12 to choose another).
base_python() { echo "${MKT_PYTHON:-python3}"; }

# stack_imports PYTHON: Odoo 18 imports with its mail server and HTTP stack (pyOpenSSL, urllib3's pyopenssl
# contrib, werkzeug, requests) - what a too new cryptography, pyOpenSSL or urllib3 breaks.
stack_imports() {
    (cd /tmp && "$1" - 2>/dev/null <<'PY'
import odoo.release
assert odoo.release.version_info[0] == 18, odoo.release.version
import odoo.http  # noqa: F401
import odoo.addons.base.models.ir_mail_server  # noqa: F401
PY
    )
}

# stack_versions: what the environment's Odoo runs on (for the summary of scripts/test).
stack_versions() {
    (cd /tmp && "$PY" -c "from importlib.metadata import version as v; print(', '.join(
        '%s %s' % (n, v(n)) for n in ('cryptography', 'pyOpenSSL', 'urllib3', 'requests')))")
}

# Get Odoo 18 into var/odoo: a shallow clone of the official 18.0 branch (a few hundred MB).
odoo_clone() {
    say "No Odoo 18 found: cloning the 18.0 branch of $ODOO_GIT_URL into var/odoo (shallow; a few minutes)"
    rm -rf "$ODOO_CLONE.partial"
    if git clone -q --depth 1 --single-branch --branch 18.0 "$ODOO_GIT_URL" "$ODOO_CLONE.partial"; then
        mv "$ODOO_CLONE.partial" "$ODOO_CLONE"
    else
        rm -rf "$ODOO_CLONE.partial"
        echo "!!! Could not clone Odoo 18 from $ODOO_GIT_URL (no network?): Odoo cannot run here." >&2
        return 1
    fi
}

# Create var/venv when missing (seeing the system's packages when $1 = system).
venv_ensure() {
    [ -x "$PY" ] && "$PY" -c "" 2>/dev/null && return 0
    local python flags=() seeing=""
    python=$(base_python)
    [ "$1" = system ] && flags=(--system-site-packages) && seeing=", seeing the system's packages"
    say "Creating the project's Python environment var/venv ($python$seeing)"
    rm -rf "$VENV_DIR"
    if ! "$python" -m venv "${flags[@]}" "$VENV_DIR" >/dev/null 2>&1; then
        rm -rf "$VENV_DIR"
        local pkg
        pkg="python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            say "Installing Debian's $pkg"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
        fi
        "$python" -m venv "${flags[@]}" "$VENV_DIR" || {
            echo "Cannot create a virtual environment with $python: install $pkg (Debian/Ubuntu)." >&2
            return 1
        }
    fi
}

# Odoo's requirements.txt as pip can install it anywhere, from wheels: psycopg2-binary (no compiler or
# libpq headers needed), without python-ldap (only auth_ldap needs it, and it needs OpenLDAP headers to
# build), and the nearest releases with wheels for two pins that have none: cbor2 5.4.6 for the yanked
# 5.4.2 of older 18.0 trees (its setup.py needs the pkg_resources today's setuptools no longer has), gevent
# 21.12.0 for 21.8.0 on Python 3.10 (its sources no longer build with today's Cython).
odoo_requirements_file() {
    local out="$VAR_DIR/odoo-requirements.txt"
    sed -E -e 's/^psycopg2([=~<>!; ]|$)/psycopg2-binary\1/' -e '/^python-ldap/d' \
        -e 's/^cbor2==5\.4\.2([ ;]|$)/cbor2==5.4.6\1/' -e 's/^gevent==21\.8\.0([ ;]|$)/gevent==21.12.0\1/' \
        "$1" > "$out"
    echo "$out"
}

# gevent_pins: the requirements file var/venv needs for Odoo's gevent worker, or nothing when it needs none.
# gevent loads its plugins through pkg_resources when setuptools is installed, and pkg_resources before
# setuptools 75.8.2 does not find a distribution whose dist-info folder has the normalised name (the recent
# releases of zope.interface and zope.event: zope_interface-8.7.dist-info, zope_event-6.2.dist-info): with those,
# Odoo's gevent worker (the prefork server's websocket process) dies at start with DistributionNotFound,
# again and again. zope.interface 6.0 and zope.event 4.6 still carry the dotted names.
gevent_pins() {
    "$PY" - 2>/dev/null <<'PY' || return 0
import importlib.metadata, re, sys
version = tuple(int(part) for part in re.findall(r"\d+", importlib.metadata.version("setuptools"))[:3])
sys.exit(0 if version < (75, 8, 2) else 1)
PY
    local out="$VAR_DIR/gevent-pins.txt"
    printf 'zope.interface==6.0\nzope.event==4.6\n' > "$out"
    echo "$out"
}

# Install the Python packages of the addons, tests and lint into var/venv when requirements.txt changed,
# constrained by Odoo's own requirements so that Odoo's pins (cryptography, pyOpenSSL, urllib3...) hold.
py_requirements() {
    local odoo_reqs="$1" stamp="$VENV_DIR/.requirements" constraints=() pins=()
    [ -n "$odoo_reqs" ] && constraints=(-c "$(odoo_requirements_file "$odoo_reqs")")
    local pins_file want
    pins_file=$(gevent_pins)
    [ -n "$pins_file" ] && pins=(-r "$pins_file")
    want=$(cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements-optional.txt" ${odoo_reqs:+"$odoo_reqs"} \
        ${pins_file:+"$pins_file"} | sha256sum)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
    say "Installing the project's Python requirements into var/venv"
    "$PY" -m pip install -q --disable-pip-version-check -r "$REPO_ROOT/requirements.txt" "${pins[@]}" \
        "${constraints[@]}" || return 1
    if ! "$PY" -m pip install -q --disable-pip-version-check -r "$REPO_ROOT/requirements-optional.txt" \
            "${pins[@]}" "${constraints[@]}" >/dev/null 2>&1; then
        echo "!!! The optional packages of requirements-optional.txt (openai, for Draft from Photos) do not fit" >&2
        echo "    beside this Odoo's pins: Draft from Photos will say so, and its tests are skipped." >&2
    fi
    echo "$want" > "$stamp"
}

# The tree Odoo runs from when the found one holds modules that are not Odoo Community (the project installs
# only Community modules): a view of it made of links (scripts/odoo_community_view.py).
ODOO_VIEW="$VAR_DIR/odoo-community"

# community_only TREE: sets ODOO_ROOT to TREE, or to a Community-only view of it when TREE also holds
# Enterprise (or other non-free) modules, many of which would auto-install into every database; then
# ODOO_COMMUNITY_NOTE says what was left out (the view's maker says it loudly too).
community_only() {
    local out
    ODOO_ROOT="$1" ODOO_COMMUNITY_NOTE=""
    out=$("$(base_python)" "$REPO_ROOT/scripts/odoo_community_view.py" "$1" "$ODOO_VIEW") || return 1
    [ -n "$out" ] || return 0
    ODOO_ROOT=$(sed -n 1p <<<"$out")
    ODOO_COMMUNITY_NOTE="Odoo runs from the Community-only view ${ODOO_ROOT#"$REPO_ROOT/"}: $(sed -n 2p <<<"$out")"
}

# odoo_root_guard: var/venv imports the Odoo of ODOO_ROOT and no other (scripts/odoo_root_guard.py says why:
# a system .pth file putting the full tree on sys.path would bring its modules back); none when Odoo is missing.
odoo_root_guard() {
    local site
    site=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") || return 1
    rm -f "$site/_mkt_odoo_root_guard.pth"
    [ -n "${ODOO_ROOT:-}" ] || return 0
    cp "$REPO_ROOT/scripts/odoo_root_guard.py" "$site/_mkt_odoo_root_guard.py"
    printf 'import _mkt_odoo_root_guard; _mkt_odoo_root_guard.install(%s)\n' \
        "$("$PY" -c 'import sys; print(repr(sys.argv[1]))' "$ODOO_ROOT")" > "$site/_mkt_odoo_root_guard.pth"
}

# python_env [ODOO_SOURCE]: find Odoo 18 (--odoo PATH, $ODOO_PATH, an earlier clone in var/odoo, the
# system's, or a fresh clone), make var/venv with Odoo's and the project's requirements, and check Odoo still imports.
# Sets ODOO_MISSING to why Odoo 18 cannot run here (empty when it can), and ODOO_BROKEN when an Odoo 18 was
# found but does not import in var/venv; fails only when the project's own environment cannot be made.
# Odoo runs from a Community-only view of the found tree when that holds other modules (community_only).
# Exports PYTHONPATH for the tree Odoo runs from.
python_env() {
    local src="${1:-${ODOO_PATH:-}}" system_odoo="" odoo_reqs="" tree=""
    ODOO_MISSING="" ODOO_ROOT="" ODOO_COMMUNITY_NOTE=""
    if [ -n "$src" ]; then
        [ -f "$src/odoo/__init__.py" ] || ODOO_MISSING="no Odoo source tree at $src (expected $src/odoo/__init__.py)"
    elif [ -f "$ODOO_CLONE/odoo/__init__.py" ]; then
        src="$ODOO_CLONE"
    elif (cd /tmp && "$(base_python)" -c "import odoo" 2>/dev/null); then
        system_odoo=yes
    elif odoo_clone; then
        src="$ODOO_CLONE"
    else
        ODOO_MISSING="Odoo 18 is not installed and could not be cloned from $ODOO_GIT_URL (no network?)"
    fi
    if [ -z "$ODOO_MISSING" ]; then
        # the system's own tree, as its Python finds it without an earlier run's PYTHONPATH
        tree=${src:-$(cd /tmp && env -u PYTHONPATH "$(base_python)" -c \
            "import os, odoo; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))")}
        community_only "$tree" || return 1
        export PYTHONPATH="$ODOO_ROOT${PYTHONPATH:+:$PYTHONPATH}"
        [ -n "$src" ] && src="$ODOO_ROOT"
    fi
    if [ -n "$system_odoo" ] || { [ -n "$src" ] && stack_imports "$(base_python)"; }; then
        venv_ensure system || return 1
    else
        venv_ensure isolated || return 1
    fi
    if [ -n "$src" ] && [ -z "$ODOO_MISSING" ]; then
        odoo_reqs="$src/requirements.txt"
    elif [ -n "$system_odoo" ]; then
        odoo_reqs=$(cd /tmp && "$PY" -c "import os, odoo; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'requirements.txt'))" 2>/dev/null)
    fi
    [ -f "$odoo_reqs" ] || odoo_reqs=""
    if [ -z "$ODOO_MISSING" ]; then
        if [ -n "$src" ] && [ -n "$odoo_reqs" ] && ! stack_imports "$PY"; then
            say "Installing Odoo 18's requirements into var/venv (the first time: a few minutes)"
            local pins
            pins=$(gevent_pins)
            "$PY" -m pip install -q --disable-pip-version-check -r "$(odoo_requirements_file "$odoo_reqs")" \
                ${pins:+-r "$pins"} \
                || ODOO_MISSING="Odoo's requirements could not be installed (see pip's message above)"
        fi
    fi
    py_requirements "$odoo_reqs" || return 1
    odoo_root_guard || return 1
    # every Odoo started from here (and what it re-executes when it reloads: scripts/odoo-server) finds a bare
    # `python` in var/venv, not the system's
    export PATH="$VENV_DIR/bin:$PATH"
    ODOO_BROKEN=""
    if [ -z "$ODOO_MISSING" ] && ! stack_imports "$PY"; then
        ODOO_BROKEN=yes
        ODOO_MISSING="Odoo 18 does not import in var/venv with its mail server and HTTP stack (see why:
    var/venv/bin/python -c 'import odoo.http, odoo.addons.base.models.ir_mail_server')"
    fi
    return 0
}

# Odoo's addons folders for the found Odoo (source layout or packaged layout), plus this repo.
odoo_addons_path() {
    (cd /tmp && "$PY" - "$REPO_ROOT" <<'PY'
import os, sys, odoo
pkg = os.path.dirname(odoo.__file__)
paths = [os.path.join(pkg, "addons")]
top = os.path.join(os.path.dirname(pkg), "addons")
if os.path.isdir(os.path.join(top, "web")):
    paths.append(top)
print(",".join(paths + [sys.argv[1]]))
PY
    )
}

# Start PostgreSQL when it is not answering, and give the current OS user a role.
pg_ensure() {
    if ! pg_isready -q 2>/dev/null; then
        if ! command -v pg_ctlcluster >/dev/null 2>&1; then
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
                say "Installing PostgreSQL (Debian package)"
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
            else
                echo "PostgreSQL is not running and cannot be installed from here: install PostgreSQL 15+ and start it." >&2
                return 1
            fi
        fi
        local cluster
        cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
        if [ -z "$cluster" ]; then
            local version
            version=$(ls /usr/lib/postgresql | sort -n | tail -1)
            pg_createcluster "$version" main >/dev/null
            cluster="$version main"
        fi
        say "Starting PostgreSQL cluster $cluster"
        pg_ctlcluster $cluster start
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    fi
    if ! psql -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
        local me
        me=$(id -un)
        if [ "$(id -u)" = 0 ]; then
            runuser -u postgres -- psql -qc "CREATE ROLE \"$me\" SUPERUSER LOGIN" >/dev/null
        else
            echo "PostgreSQL runs but has no role for $me: run  sudo -u postgres createuser --superuser $me" >&2
            return 1
        fi
    fi
}

# Browser tests (Odoo tours) need Debian's chromium; without it Odoo skips them with a mere warning.
chromium_ensure() {
    command -v chromium >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing Debian's chromium for the browser tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    command -v chromium >/dev/null 2>&1
}

# The Fernet key for marketplace secrets: kept in var/ so a restarted demo still reads its tokens.
secret_key() {
    local file="$VAR_DIR/marketplace_secret.key"
    [ -s "$file" ] || "$PY" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > "$file"
    cat "$file"
}

# write_config FILE DB [extra lines...]
write_config() {
    local file="$1" db="$2"
    shift 2
    {
        echo "[options]"
        echo "addons_path = $(odoo_addons_path)"
        echo "db_name = $db"
        echo "marketplace_secret_key = $(secret_key)"
        echo "data_dir = $VAR_DIR/filestore"
        for line in "$@"; do echo "$line"; done
    } > "$file"
}

# Modules of this repository, in dependency order.
project_modules() {
    local modules="marketplace_base"
    [ -f "$REPO_ROOT/ebay_connector/__manifest__.py" ] && modules="$modules,ebay_connector"
    [ -f "$REPO_ROOT/shopee_connector/__manifest__.py" ] && modules="$modules,shopee_connector"
    echo "$modules"
}

# test_modules: the project's modules plus the test-only addon marketplace_toy (a third platform made of the base's
# interface alone, checked by the conformance suite): scripts/test installs it, scripts/run never does.
test_modules() {
    local modules
    modules=$(project_modules)
    [ -f "$REPO_ROOT/marketplace_toy/__manifest__.py" ] && modules="$modules,marketplace_toy"
    echo "$modules"
}
