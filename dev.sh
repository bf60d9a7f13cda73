#!/bin/sh
# Koers developer entry point. Needs only Python 3 (and a shell) on a Debian machine.
#   ./dev.sh app    start the app with the sample data
#   ./dev.sh test   run every test (unit, AppTest, real-browser end-to-end)
#   ./dev.sh lint   ruff and mypy
# It installs what is missing: uv (pinned, from PyPI), the locked packages, and for the
# browser tests Debian's chromium.
set -eu
cd "$(dirname "$0")"
UV_VERSION=0.13.9

ensure_uv() {
    if command -v uv >/dev/null 2>&1; then UV=uv; return; fi
    if [ -x .tools/bin/uv ]; then UV=.tools/bin/uv; return; fi
    echo "Installing uv $UV_VERSION into .tools/ ..." >&2
    if python3 -m venv .tools >/dev/null 2>&1; then
        .tools/bin/python -m pip install -q "uv==$UV_VERSION"
        UV=.tools/bin/uv
    else
        # Debian without python3-venv: a user install (PEP 668 needs the override flag).
        python3 -m pip install -q --user --break-system-packages "uv==$UV_VERSION" \
            || python3 -m pip install -q --user "uv==$UV_VERSION"
        UV="$(python3 -m site --user-base)/bin/uv"
    fi
}

ensure_system_packages() {
    # Debian packages the tests use: chromium (browser tests), an emoji font (status icons
    # in screenshots), LibreOffice Calc (opens our xlsx) and poppler (renders our PDF).
    missing=""
    if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
        missing="$missing chromium"
    fi
    [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing="$missing fonts-noto-color-emoji"
    command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-calc"
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    [ -z "$missing" ] && return
    echo "Installing Debian packages for the tests:$missing ..." >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        $missing >/dev/null
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
    app)
        ensure_uv
        "$UV" sync --frozen --no-dev
        # Every new session opens on the sample scorecard (KOERS_SAMPLE=0 to start empty).
        KOERS_SAMPLE="${KOERS_SAMPLE:-1}" exec "$UV" run --frozen --no-dev \
            streamlit run app.py --browser.gatherUsageStats false "$@"
        ;;
    test)
        ensure_uv
        "$UV" sync --frozen
        ensure_system_packages
        "$UV" run --frozen ruff check .
        "$UV" run --frozen mypy
        exec "$UV" run --frozen pytest "$@"
        ;;
    lint)
        ensure_uv
        "$UV" sync --frozen
        "$UV" run --frozen ruff check .
        "$UV" run --frozen ruff format --check kpilogic
        exec "$UV" run --frozen mypy
        ;;
    *)
        echo "usage: ./dev.sh app | test | lint" >&2
        exit 2
        ;;
esac
