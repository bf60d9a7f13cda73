#!/bin/sh
# Koers developer entry point. Needs only Python 3 (and a shell) on a Debian machine.
#   ./dev.sh app            start the app with the sample data on http://localhost:8501
#   ./dev.sh test [ARGS]    run every test (lint, types, unit, AppTest, real-browser end-to-end)
#   ./dev.sh lint           ruff and mypy
#   ./dev.sh koers ARGS     the command line (koers evaluate, sample, schema, ...)
#   ./dev.sh bench [ARGS]   the performance benchmarks (python -m benchmarks.run)
# It installs what is missing, one line each: uv (pinned, from PyPI, into .tools/), the
# locked packages (into .venv/), and for the tests Debian's chromium and a few tools.
set -eu
cd "$(dirname "$0")"
UV_VERSION=0.13.9

say() { echo "dev.sh: $*" >&2; }

ensure_uv() {
    if command -v uv >/dev/null 2>&1; then UV=uv; return; fi
    if [ -x .tools/bin/uv ]; then UV=.tools/bin/uv; return; fi
    say "installing uv $UV_VERSION into .tools/ ..."
    if python3 -m venv .tools >/dev/null 2>&1; then
        .tools/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
        UV=.tools/bin/uv
    else
        # Debian without python3-venv: a user install (PEP 668 needs the override flag).
        python3 -m pip install -q --user --break-system-packages "uv==$UV_VERSION" \
            || python3 -m pip install -q --user "uv==$UV_VERSION"
        UV="$(python3 -m site --user-base)/bin/uv"
    fi
}

sync_packages() {
    # $1: "--no-dev" for the app alone, "" for everything the tests need; --inexact keeps
    # what is there (the test packages stay when the app is started).
    [ -d .venv ] || say "installing the Python packages from uv.lock into .venv/ ..."
    # shellcheck disable=SC2086
    "$UV" sync --frozen --quiet --inexact ${1:-}
}

ensure_system_packages() {
    # Debian packages the tests use: chromium (browser tests), an emoji font (status icons
    # in screenshots), LibreOffice Calc (opens our xlsx), poppler (renders our PDF) and
    # PostgreSQL (the store tests start their own server with it).
    missing=""
    if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
        missing="$missing chromium"
    fi
    [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing="$missing fonts-noto-color-emoji"
    command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-calc"
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    # PostgreSQL: the store tests run against a throwaway server too (tests/pg.py).
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
    [ -z "$missing" ] && return
    say "installing Debian packages for the tests (about 600 MB, a few minutes):$missing ..."
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        $missing >/dev/null 2>&1
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
    app)
        ensure_uv
        sync_packages --no-dev
        # Every new session opens on the sample scorecard (KOERS_SAMPLE=0 to start empty).
        # Only this machine can reach it unless KOERS_ADDRESS says otherwise (see README).
        KOERS_SAMPLE="${KOERS_SAMPLE:-1}" exec "$UV" run --frozen --no-dev \
            streamlit run app.py --browser.gatherUsageStats false \
            --server.address "${KOERS_ADDRESS:-127.0.0.1}" "$@"
        ;;
    test)
        ensure_uv
        sync_packages
        ensure_system_packages
        "$UV" run --frozen ruff check .
        "$UV" run --frozen mypy
        if [ "$#" -gt 0 ]; then
            exec "$UV" run --frozen pytest "$@"
        fi
        # The browser tests spend most of their time waiting for a page, so they run beside
        # the rest (two pytest processes on two cores: ~17 instead of ~27 minutes).
        say "pytest: the browser tests and the rest side by side (about 20 minutes on 2 cores) ..."
        e2e_log="$(mktemp)"
        e2e_tmp="$(mktemp -d)"
        "$UV" run --frozen pytest tests/e2e --basetemp "$e2e_tmp" -p no:cacheprovider --durations=10 \
            >"$e2e_log" 2>&1 &
        e2e_pid=$!
        rest=0
        "$UV" run --frozen pytest --ignore=tests/e2e --durations=25 || rest=$?
        e2e=0
        wait "$e2e_pid" || e2e=$?
        say "browser tests (tests/e2e):"
        cat "$e2e_log"
        rm -rf "$e2e_log" "$e2e_tmp"
        if [ "$rest" -ne 0 ] || [ "$e2e" -ne 0 ]; then
            say "failed: the rest exit $rest, the browser tests exit $e2e"
            exit 1
        fi
        ;;
    lint)
        ensure_uv
        sync_packages
        "$UV" run --frozen ruff check .
        "$UV" run --frozen ruff format --check kpilogic
        exec "$UV" run --frozen mypy
        ;;
    koers)
        ensure_uv
        sync_packages --no-dev
        exec "$UV" run --frozen --no-dev koers "$@"
        ;;
    bench)
        ensure_uv
        sync_packages
        exec "$UV" run --frozen python -m benchmarks.run "$@"
        ;;
    *)
        echo "usage: ./dev.sh app | test [PYTEST ARGS] | lint | koers ARGS | bench [--quick]" >&2
        exit 2
        ;;
esac
