# Shared helpers of scripts/run and scripts/test (sourced, not executed).
# They find an Odoo 18 the user already has, make sure PostgreSQL runs, and write
# an Odoo configuration for this checkout. They never download or build Odoo.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR_DIR="$REPO_ROOT/var"
mkdir -p "$VAR_DIR"

say() { printf '\n==> %s\n' "$*"; }

# Make `import odoo` work: an importable odoo, or a source tree given with --odoo PATH / $ODOO_PATH.
odoo_find() {
    local src="${1:-${ODOO_PATH:-}}"
    if [ -n "$src" ]; then
        [ -f "$src/odoo/__init__.py" ] || { echo "No Odoo source tree at $src (expected $src/odoo/__init__.py)"; return 1; }
        export PYTHONPATH="$src${PYTHONPATH:+:$PYTHONPATH}"
    fi
    ODOO_VERSION=$(cd /tmp && python3 -c "import odoo.release as r; print(r.version_info[0])" 2>/dev/null) || ODOO_VERSION=""
    [ "$ODOO_VERSION" = "18" ]
}

# Odoo's addons folders for the found Odoo (source layout or packaged layout), plus this repo.
odoo_addons_path() {
    (cd /tmp && python3 - "$REPO_ROOT" <<'PY'
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

# Install the Python packages the addons and tests need, when one is missing.
py_requirements() {
    if ! (cd /tmp && python3 -c "import requests, dateutil, cryptography, vcr, hypothesis, pytest" 2>/dev/null); then
        say "Installing Python requirements"
        python3 -m pip install -q -r "$REPO_ROOT/requirements.txt"
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
    [ -s "$file" ] || python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > "$file"
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
