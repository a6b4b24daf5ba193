#!/usr/bin/env bash
# Build, run and test the Fieldcase desktop app. Idempotent: each step skips
# what is already there.
#
#   scripts/desktop.sh ui      the UI only (npm ci if needed, vite build into ui/dist);
#                              any cargo command that compiles src-tauri needs ui/dist
#   scripts/desktop.sh build   the UI, then the debug binary
#   scripts/desktop.sh run     build, then launch the app
#   scripts/desktop.sh e2e     build (and the fieldcase CLI, which one test uses to add a large
#                              attachment), then the end-to-end suite (WebDriver, Xvfb if no DISPLAY;
#                              every screenshot point is also checked with axe-core's WCAG A/AA rules)
#   scripts/desktop.sh test    the UI unit tests (Vitest) and the shell's Rust unit tests
#   scripts/desktop.sh deb     the UI, then the release app and its .deb (Tauri CLI; installed with
#                              `cargo install tauri-cli` if missing); prints the .deb's path
#
# Environment:
#   CARGO_TARGET_DIR      where cargo builds (default: target/ in the repo)
#   FIELDCASE_PROFILE_DIR profile folder for `run` (default: the platform data folder)
#
# Needs (Debian): libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev
# build-essential pkg-config; for e2e also xvfb xauth webkit2gtk-driver; node >= 20.19. Playing
# video needs GStreamer's plugins: -base and -good come with WebKitGTK (the e2e fixtures are WebM
# and Ogg); gstreamer1.0-libav adds phones' H.264 MP4 (scripts/setup installs all three).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
APP="$TARGET_DIR/debug/fieldcase-desktop"

say() { printf '==> %s\n' "$*" >&2; }

ui_deps() {
  if [ ! -d "$ROOT/ui/node_modules" ] || [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]; then
    say "npm ci (ui)"
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
  fi
}

build_ui() {
  ui_deps
  say "building the UI (ui/dist)"
  (cd "$ROOT/ui" && npm run build --silent)
}

build() {
  build_ui
  say "building fieldcase-desktop (debug)"
  (cd "$ROOT" && cargo build -p fieldcase-desktop)
}

tauri_driver() {
  if command -v tauri-driver >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/tauri-driver" ]; then
    return
  fi
  say "installing tauri-driver (cargo install --locked)"
  cargo install tauri-driver --locked
}

tauri_cli() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if cargo tauri --version >/dev/null 2>&1; then
    return
  fi
  # Built from its crates.io source, like tauri-driver: no prebuilt binary is downloaded.
  # Its own temporary target dir (not CARGO_TARGET_DIR), so the app's build is not evicted.
  say "installing the Tauri CLI (cargo install tauri-cli --locked; 15-25 min on two cores)"
  env -u CARGO_TARGET_DIR cargo install tauri-cli --version '^2' --locked
}

deb() {
  tauri_cli
  build_ui
  say "building the release app and its .deb (cargo tauri build --bundles deb)"
  # No beforeBuildCommand in tauri.conf.json: the UI was built just above.
  (cd "$ROOT/src-tauri" && cargo tauri build --ci --bundles deb)
  local debs=("$TARGET_DIR"/release/bundle/deb/*.deb)
  if [ ! -f "${debs[0]}" ]; then
    say "no .deb under $TARGET_DIR/release/bundle/deb"
    exit 1
  fi
  ls -t "${debs[@]}" | head -n 1
}

e2e_prereqs() {
  local missing=()
  command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
  if [ -z "${DISPLAY:-}" ]; then command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb); fi
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    say "missing: ${missing[*]} (apt-get install -y ${missing[*]})"
    exit 1
  fi
}

cmd="${1:-}"
case "$cmd" in
  ui)
    build_ui
    ;;
  build)
    build
    say "built $APP"
    ;;
  run)
    build
    say "starting $APP"
    exec "$APP"
    ;;
  e2e)
    e2e_prereqs
    tauri_driver
    build
    say "building the fieldcase CLI (debug), beside the app"
    (cd "$ROOT" && cargo build -p fieldcase-cli)
    if [ ! -d "$ROOT/tests/e2e/node_modules/axe-core" ] || [ "$ROOT/tests/e2e/package-lock.json" -nt "$ROOT/tests/e2e/node_modules/.package-lock.json" ]; then
      say "npm ci (tests/e2e: axe-core, the accessibility checks)"
      (cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund)
    fi
    export PATH="$HOME/.cargo/bin:$PATH"
    say "end-to-end tests"
    exec python3 "$ROOT/tests/e2e/run.py" --app "$APP" "${@:2}"
    ;;
  deb)
    deb
    ;;
  test)
    ui_deps
    say "UI type check (svelte-check) and unit tests (vitest)"
    (cd "$ROOT/ui" && npm run check --silent && npm test --silent)
    # The shell's Rust tests compile the whole app, which embeds ui/dist.
    build_ui
    say "desktop shell unit tests (cargo test)"
    (cd "$ROOT" && cargo test -p fieldcase-desktop)
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
