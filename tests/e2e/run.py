#!/usr/bin/env python3
"""End-to-end tests of the built desktop app, driven through WebDriver.

Usage: python3 tests/e2e/run.py [--app PATH] [--screenshots DIR] [-k NAME]

Each test gets a fresh profile folder (FIELDCASE_PROFILE_DIR), the cheap test
KDF (FIELDCASE_KDF=test, honoured by debug builds only), fresh XDG folders (so
WebKit's storage is the test's own), and its own tauri-driver. Xvfb is started
when DISPLAY is unset. One test also runs the `fieldcase` CLI found beside the
app binary. Prints `N passed, N failed` last; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webdriver import ENTER, ESCAPE, Session, TauriDriver, WebDriverError, Xvfb  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "river lantern copper 42"
KHMER = re.compile(r"[\u1780-\u17ff]")

ARGS: argparse.Namespace
DISPLAY = ""
LOG_DIR = Path(tempfile.mkdtemp(prefix="fieldcase-e2e-logs-"))


@contextmanager
def app(profile: Path | None = None, state: Path | None = None, extra_env: dict[str, str] | None = None):
    """The app in a WebDriver session, on `profile` (a fresh one if None), with WebKit's
    storage (the XDG folders) under `state` (fresh if None; pass the same one to restart
    the app with what the window remembered, such as the language), and `extra_env` set."""
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-") as tmp:
        tmp_path = state or Path(tmp)
        profile = profile or Path(tmp) / "profile"
        env = dict(os.environ)
        env.update(
            DISPLAY=DISPLAY,
            FIELDCASE_PROFILE_DIR=str(profile),
            FIELDCASE_KDF="test",
            XDG_DATA_HOME=str(tmp_path / "data"),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_CACHE_HOME=str(tmp_path / "cache"),
        )
        env.update(extra_env or {})
        with TauriDriver(env, LOG_DIR / "tauri-driver.log") as driver:
            started = time.monotonic()
            session = Session(driver, ARGS.app)
            session.started = started
            session.driver = driver
            try:
                yield session
            finally:
                session.close()


AXE = ROOT / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
# Rules of WCAG 2.0 and 2.1, levels A and AA: labels, names, contrast, ARIA, ids, language.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessible(s: Session, where: str) -> None:
    """axe-core's WCAG A/AA rules find nothing on the screen as it stands (every screen with a
    screenshot is checked). axe is injected through WebDriver, not the page: the app's CSP
    stays as it is."""
    if not s.execute("return typeof window.axe !== 'undefined'"):
        s.execute(AXE.read_text(encoding="utf-8") + "\nreturn true")
    found = s.execute_async(
        "const done = arguments[arguments.length - 1];"
        "window.axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        "    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}))))"
        "  .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        AXE_TAGS,
    )
    if found:
        lines = [f"{v['id']}: {v['help']} -> {'; '.join(v['nodes'])}" for v in found]
        raise AssertionError(f"accessibility ({where}):\n  " + "\n  ".join(lines))


def shot(s: Session, name: str) -> None:
    if ARGS.screenshots:
        s.screenshot(Path(ARGS.screenshots) / f"{name}.png")
    accessible(s, name)


def set_lang(s: Session, lang: str) -> None:
    # Clicking the option itself selects it (WebDriver spec) without opening
    # GTK's popup; clicking the <select> first opens a native menu that
    # WebKitWebDriver does not survive reliably.
    s.wait(f"#lang option[value='{lang}']", visible=False).click()
    deadline = time.monotonic() + 5
    while s.execute("return document.documentElement.lang") != lang:
        if time.monotonic() > deadline:
            raise AssertionError(f"language did not switch to {lang}")
        time.sleep(0.05)


def create_profile(
    s: Session, passphrase: str = PASSPHRASE, device: str = "Team 2 laptop", role: str = "field"
) -> None:
    s.wait("#screen-first-run")
    s.wait("#passphrase").type(passphrase)
    s.wait("#passphrase-again").type(passphrase)
    s.wait("#device-name").type(device)
    if role != "field":
        s.wait(f"#role-{role}").click()
    s.wait("#create-profile").click()
    s.wait("#screen-home", timeout=30)


def unlock(s: Session, passphrase: str) -> None:
    field = s.wait("#unlock-passphrase")
    field.clear()
    field.type(passphrase)
    s.wait("#unlock").click()


def reauth(s: Session, passphrase: str = PASSPHRASE) -> None:
    """The passphrase typed again for a guarded step, with the keyboard: the dialog has the
    focus, Enter confirms, and the dialog goes."""
    field = s.wait("#reauth-passphrase", timeout=10)
    check(s.execute("return document.activeElement.id") == "reauth-passphrase", "the passphrase dialog has the focus")
    field.type(passphrase)
    s.press(ENTER)
    s.wait_gone("#reauth[open]", timeout=30)


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


# ---------------------------------------------------------------- the tests


def test_first_run_panic_unlock(s: Session) -> None:
    """First run -> home -> panic (Escape twice) -> unlock: wrong, then right -> home."""
    set_lang(s, "en")
    s.wait("#screen-first-run")
    check(s.title == "Fieldcase", f"window title is {s.title!r}")
    s.wait("#passphrase").type("short")
    s.wait("#create-profile").click()
    check("at least 10" in s.wait("#problem").text, "a short passphrase is refused")
    s.wait("#passphrase").clear()
    s.wait("#passphrase").type(PASSPHRASE)
    check(s.wait("#strength").attr("data-score") == "3", "a long passphrase shows as strong")
    s.wait("#passphrase-again").type(PASSPHRASE + "x")
    s.wait("#device-name").type("Team 2 laptop")
    s.wait("#create-profile").click()
    check("not the same" in s.wait("#problem").text, "mismatched passphrases are refused")
    s.wait("#passphrase-again").clear()
    s.wait("#passphrase-again").type(PASSPHRASE)
    s.wait("#passphrase").click()
    shot(s, "first-run-en")
    s.wait("#create-profile").click()

    s.wait("#screen-home", timeout=30)
    counts = s.wait("#counts").text
    check("People" in counts and "0" in counts, f"home shows record counts: {counts!r}")
    shot(s, "home-en")

    t0 = time.monotonic()
    s.press(ESCAPE, ESCAPE, pause_ms=100)
    s.wait("#screen-unlock", timeout=2)
    print(f"    panic key to unlock screen: {(time.monotonic() - t0) * 1000:.0f} ms (incl. WebDriver round trips)")
    check(not s.find_all("#screen-home"), "home is gone after the panic key")
    shot(s, "unlock-en")

    unlock(s, "not the passphrase")
    err = s.wait("#error", timeout=30)
    check(err.attr("data-code") == "wrong_passphrase", f"wrong passphrase code: {err.attr('data-code')}")
    check("does not open this profile" in err.text, f"wrong passphrase message: {err.text!r}")
    check(s.wait("#unlock-passphrase").prop("value") == "", "the failed passphrase is cleared")

    unlock(s, PASSPHRASE)
    s.wait("#screen-home", timeout=30)
    s.wait("#counts")


def test_hide_button_lock_button_and_khmer(s: Session) -> None:
    """The visible Hide & lock and Lock buttons lock; the language switches at runtime."""
    set_lang(s, "en")
    create_profile(s)
    s.wait("#hide-lock").click()
    s.wait("#screen-unlock", timeout=2)
    set_lang(s, "km")
    check(KHMER.search(s.wait("#unlock-title").text) is not None, "unlock title is Khmer")
    check(KHMER.search(s.wait("#hide-lock").text) is not None, "Hide & lock is Khmer")
    shot(s, "unlock-km")
    unlock(s, "not the passphrase")
    err = s.wait("#error", timeout=30)
    check(KHMER.search(err.text) is not None, f"wrong passphrase message is Khmer: {err.text!r}")
    unlock(s, PASSPHRASE)
    s.wait("#screen-home", timeout=30)
    s.wait("#counts")
    check(KHMER.search(s.wait("#home-title").text) is not None, "home is Khmer")
    shot(s, "home-km")
    # The shipped Khmer font is what renders (no system Khmer font is needed).
    has_font = s.execute_async(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.load('16px \"Noto Sans Khmer\"', 'ក').then(f => done(f.length > 0), () => done(false));"
    )
    check(has_font is True, "the bundled Noto Sans Khmer font loads")
    s.wait("#lock").click()
    s.wait("#screen-unlock", timeout=2)
    set_lang(s, "en")
    check(s.wait("#unlock").text == "Unlock", "back to English")


def test_first_run_khmer(s: Session) -> None:
    """The first-run screen in Khmer, with its validation message."""
    s.wait("#screen-first-run")
    set_lang(s, "km")
    check(KHMER.search(s.wait("#first-run-title").text) is not None, "first-run title is Khmer")
    s.wait("#passphrase").type("ទន្លេ ចង្កៀង ស្ពាន់ ៤២")
    s.wait("#passphrase-again").type("ទន្លេ ចង្កៀង")
    s.wait("#device-name").type("កុំព្យូទ័រក្រុមទី២")
    s.wait("#create-profile").click()
    check(KHMER.search(s.wait("#problem").text) is not None, "the mismatch message is Khmer")
    shot(s, "first-run-km")


def test_cold_start_to_unlock_screen(s: Session) -> None:
    """A second start on an existing profile opens on the unlock screen; timing printed."""
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-profile-") as tmp:
        profile = Path(tmp) / "profile"
        with app(profile) as first:
            create_profile(first)
        with app(profile) as again:
            again.wait("#screen-unlock", timeout=30)
            ms = (time.monotonic() - again.started) * 1000
            print(f"    cold start to unlock screen (new session, app launch, first paint): {ms:.0f} ms")
            unlock(again, PASSPHRASE)
            again.wait("#screen-home", timeout=30)


def test_unpermitted_commands_are_refused(s: Session) -> None:
    """The page can call what its capability grants and nothing else."""
    s.wait("#screen-first-run")
    script = (
        "const [cmd, args] = arguments; const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke(cmd, args)"
        "  .then(v => done({ok: true, value: v}), e => done({ok: false, error: String(e && (e.message || e.code) || e)}));"
    )
    granted = s.execute_async(script, "app_status", {})
    check(granted.get("ok") is True, f"a granted command works: {granted}")
    refused = {
        "plugin:fs|read_file": {"path": "/etc/passwd"},
        "plugin:window|set_title": {"label": "main", "value": "Case 17 - survivor interview"},
        "plugin:webview|create_webview_window": {"options": {"label": "x", "url": "https://example.org"}},
        "plugin:path|resolve_directory": {"directory": 14},
        "plugin:event|listen": {"event": "x", "target": {"kind": "Any"}, "handler": 1},
        # The dialog plugin is there for the file pickers, but only its open and save.
        "plugin:dialog|message": {"message": "Case 17", "title": "x", "kind": "info"},
        "plugin:dialog|ask": {"message": "Delete?", "title": "x", "kind": "warning"},
        "delete_everything": {},
    }
    for cmd, args in refused.items():
        out = s.execute_async(script, cmd, args)
        check(out.get("ok") is False, f"{cmd} must be refused, got {out}")
        print(f"    refused {cmd}: {out.get('error')}")
    check(s.title == "Fieldcase", "the title did not change")
    # And the CSP refuses remote content and injected script (seen as violation events,
    # so a merely unreachable address does not pass for a blocked one).
    violations = s.execute_async(
        "const done = arguments[arguments.length - 1]; const seen = [];"
        "document.addEventListener('securitypolicyviolation', e => seen.push(e.violatedDirective));"
        "fetch('https://example.org/').catch(() => {});"
        "const img = new Image(); img.src = 'https://example.org/x.png';"
        "const sc = document.createElement('script'); sc.textContent = 'window.__injected = 1';"
        "document.body.appendChild(sc);"
        # frame-src names the isolation frame's origin alone: not even the app's own pages.
        "const fr = document.createElement('iframe'); fr.src = 'tauri://localhost/index.html';"
        "document.body.appendChild(fr);"
        "setTimeout(() => done({seen, injected: window.__injected === 1}), 500);"
    )
    print(f"    CSP violations: {violations}")
    check(violations["injected"] is False, "an injected inline script did not run")
    for directive in ("connect-src", "img-src", "script-src", "frame-src"):
        check(any(v.startswith(directive) for v in violations["seen"]), f"CSP refused {directive}")
    # The window refuses to navigate away from the app's own pages.
    s.execute("setTimeout(() => window.location.assign('https://example.org/'), 0)")
    time.sleep(1)
    href = s.execute("return window.location.href")
    check(href.startswith("tauri://localhost"), f"navigation away was refused, now at {href}")
    s.wait("#screen-first-run")


INVOKE = (
    "const [cmd, args, options] = arguments; const done = arguments[arguments.length - 1];"
    "window.__TAURI_INTERNALS__.invoke(cmd, args, options || undefined)"
    "  .then(v => done({ok: true, value: v}), e => done({ok: false, error: String(e && (e.message || e.code) || e)}));"
)

# Sends a message the way Tauri's isolation frame hands one back to the window, but without
# the frame: `payload` is either nothing (an empty body, which Tauri passes on unencrypted) or
# the encrypted arguments the frame produced for the last `app_status` call, replayed under
# another command's name.
AROUND_THE_FRAME = (
    "const [cmd, how] = arguments; const done = arguments[arguments.length - 1];"
    "const I = window.__TAURI_INTERNALS__;"
    "const send = (payload) => {"
    "  const callback = I.transformCallback(v => done({ok: true, value: v}), true);"
    "  const error = I.transformCallback(e => done({ok: false, error: String(e && (e.message || e) || e)}), true);"
    "  I.postMessage({cmd, callback, error, payload});"
    "  setTimeout(() => done({ok: null, error: 'no answer'}), 5000);"
    "};"
    "if (how === 'empty') { send(undefined); } else {"
    "  const seen = (e) => {"
    "    const p = e.data && e.data.payload;"
    "    if (e.data && e.data.cmd === 'app_status' && p && p.nonce) { window.removeEventListener('message', seen); send(p); }"
    "  };"
    "  window.addEventListener('message', seen);"
    "  I.invoke('app_status', {});"
    "}"
)


def test_isolation_frame_checks_every_message(s: Session) -> None:
    """Every IPC message goes through the isolation frame (ui/isolation), which lets through
    the app's commands with exactly their arguments' names and types and nothing else; what
    it refuses never reaches the shell, and what skips the frame the shell refuses."""
    s.wait("#screen-first-run")
    frame = s.execute(
        "const f = document.querySelector('iframe#__tauri_isolation__');"
        "return f && {src: f.src, shown: getComputedStyle(f).display !== 'none'}"
    )
    check(bool(frame) and re.match(r"^isolation-[0-9a-f-]+://localhost/$", frame["src"]) is not None, f"the frame: {frame}")
    check(frame["shown"] is False, "the isolation frame is hidden")
    create_profile(s)

    def refused_by_frame(cmd: str, args, why: str, options=None) -> None:
        out = s.execute_async(INVOKE, cmd, args, options)
        check(out.get("ok") is False and "refused by the isolation page" in out.get("error", ""), f"{cmd} {args}: {out}")
        check(why in out["error"], f"{cmd}: refused for {why!r}, got {out['error']}")
        print(f"    frame refused {cmd}: {out['error']}")

    def people() -> list[str]:
        out = s.execute_async(INVOKE, "list_persons", {}, None)
        check(out.get("ok") is True, f"list_persons: {out}")
        return [p["pseudonym"] for p in out["value"]]

    refused_by_frame("delete_everything", {}, 'unknown command "delete_everything"')
    refused_by_frame("plugin:dialog|message", {"message": "x"}, "unknown command")
    # Each of these would add a person if it reached the shell: Tauri ignores an extra key and
    # the command trims and stores whatever text it gets.
    refused_by_frame("add_person", {"pseudonym": "Sokha", "note": "extra"}, 'unexpected argument "note"')
    refused_by_frame("add_person", {"pseudonym": "Sokha"}, "no request options", {"headers": {"X-Case": "17"}})
    refused_by_frame("add_person", {"pseudonym": ["Sokha"]}, "pseudonym must be string")
    refused_by_frame("add_person", {}, "pseudonym must be string")
    refused_by_frame("list_records", {"kind": "case", "limit": -1}, "limit must be uint")
    refused_by_frame("load_case", {"id": "../../etc/passwd"}, "id must be uuid")
    refused_by_frame("export_bundle", {"path": "/tmp/x.fcb", "all": True, "onProgress": "__CHANNEL__:x"}, "onProgress must be channel")
    check(people() == [], f"no refused message reached the shell: {people()}")

    # What the UI sends still works, and reaches the shell.
    out = s.execute_async(INVOKE, "add_person", {"pseudonym": "សុខា"}, None)
    check(out.get("ok") is True, f"a well-formed add_person works: {out}")
    check(people() == ["សុខា"], f"the person was added: {people()}")

    # Around the frame: an empty body (Tauri decrypts nothing then), and the frame's encrypted
    # arguments for app_status replayed as another command. The shell refuses both.
    for cmd, how in (("app_status", "empty"), ("lock", "empty"), ("lock", "replay"), ("purge_acknowledged", "replay")):
        out = s.execute_async(AROUND_THE_FRAME, cmd, how)
        check(out.get("ok") is False and "did not come through the isolation frame" in out.get("error", ""), f"{cmd} ({how}): {out}")
        print(f"    shell refused {cmd} ({how}): {out['error']}")
    out = s.execute_async(AROUND_THE_FRAME, "delete_everything", "empty")
    check(out.get("ok") is False and "not allowed" in out.get("error", ""), f"an unknown command around the frame: {out}")
    status = s.execute_async(INVOKE, "app_status", {}, None)
    check(status.get("value") == {"profile_exists": True, "unlocked": True}, f"still unlocked: {status}")


def choose_option(s: Session, select_css: str, value: str) -> None:
    """Selects an option by clicking it (see set_lang for why not the <select>)."""
    s.wait(f"{select_css} option[value='{value}']", visible=False).click()
    deadline = time.monotonic() + 5
    while s.wait(select_css).prop("value") != value:
        if time.monotonic() > deadline:
            raise AssertionError(f"{select_css} did not switch to {value}")
        time.sleep(0.05)


def step_is(s: Session, step: str) -> None:
    s.wait(f"#screen-interview[data-step='{step}']")


def start_interview(s: Session, pseudonym: str) -> None:
    """Home -> New interview -> a new person by pseudonym -> the consent step."""
    s.wait("#new-interview").click()
    step_is(s, "person")
    s.wait("#to-consent").click()
    check("Choose a person" in s.wait("#problem").text, "no interview without a person")
    s.wait("#new-pseudonym").type(pseudonym)
    s.wait("#add-person").click()
    deadline = time.monotonic() + 10
    while s.wait("#person").prop("value") == "":
        if time.monotonic() > deadline:
            raise AssertionError("the new person was not selected")
        time.sleep(0.05)
    s.wait("#to-consent").click()
    step_is(s, "consent")


def give_consent(s: Session, screenshot: str = "") -> None:
    """Consent: refused without the interview part, then given (recording refused)."""
    s.wait("#consent-sharing_with_police").click()
    s.wait("#to-present").click()
    check("No interview without interview consent" in s.wait("#problem").text, "interview consent is required")
    step_is(s, "consent")
    s.wait("#consent-interview").click()
    s.wait("#explained-by").type("SW-02")
    if screenshot:
        shot(s, screenshot)
    s.wait("#to-present").click()
    step_is(s, "present")


def to_account(s: Session, minor: bool = False) -> None:
    """People present: the interviewer, and a social worker; then the interview itself."""
    s.wait("#present-name-0").type("SW-02")
    if minor:
        s.wait("#minor").click()
    s.wait("#add-present").click()
    s.wait("#present-name-1").type("SW-11")
    choose_option(s, "#present-role-1", "social_worker")
    s.wait("#to-account").click()
    step_is(s, "account")


def wait_saved(s: Session, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = s.wait("#save-status").text
        if re.search(r"\d\d:\d\d:\d\d", status):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"no saved time shown: {status!r}")
        time.sleep(0.1)


NARRATIVE_KM = "ខ្ញុំត្រូវបានគេសន្យាថាធ្វើការនៅភោជនីយដ្ឋាន ប៉ុន្តែគេយកលិខិតឆ្លងដែនរបស់ខ្ញុំ។"


def test_interview_flow(s: Session) -> None:
    """Person, consent, people present, Khmer narrative, pause, End: the record exists."""
    set_lang(s, "en")
    create_profile(s)
    start_interview(s, "Sreymom-07")
    give_consent(s, screenshot="interview-consent-en")
    to_account(s)
    s.wait("#narrative").type(NARRATIVE_KM)
    s.wait("#notes").type("Calm at first; asked for water.")
    s.wait("#ilo-retention_of_identity_documents").click()
    s.wait("#ilo-deception").click()
    s.wait("#pause").click()
    check("On a break since" in s.wait("#on-break").text, "the break shows")
    check(s.wait("#end").displayed, "End stays in view during a break")
    s.wait("#resume").click()
    s.wait("#pause")
    check("Breaks: 1" in s.wait("#break-count").text, "one break recorded")
    s.wait("#notes").click()  # leaving the narrative saves it
    status = wait_saved(s)
    check(status.startswith("Saved "), f"save status: {status!r}")
    s.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
    shot(s, "interview-en")
    set_lang(s, "km")
    check(KHMER.search(s.wait("label[for='narrative']").text) is not None, "narrative label is Khmer")
    check(KHMER.search(s.wait("#end").text) is not None, "End is Khmer")
    shot(s, "interview-km")
    set_lang(s, "en")
    s.wait("#end").click()
    s.wait("#screen-home", timeout=15)
    check("saved" in s.wait("#notice").text, "home says the interview was saved")
    counts = s.wait("#counts [data-kind='interview'] dd").text
    check(counts == "1", f"one interview recorded, home says {counts!r}")
    check(not s.find_all("#drafts li"), "the committed draft is gone")
    # The record holds the Khmer narrative: it is the person's earlier statement now.
    s.wait("#new-interview").click()
    step_is(s, "person")
    person = s.execute(
        "return [...document.querySelectorAll('#person option')].find(o => o.textContent === 'Sreymom-07').value"
    )
    choose_option(s, "#person", person)
    s.wait("#to-consent").click()
    step_is(s, "consent")
    s.wait("#earlier-toggle").click()
    earlier = s.wait("#earlier-list").text
    check(NARRATIVE_KM in earlier, f"earlier statements show the narrative: {earlier!r}")


def test_autosave_survives_a_kill(s: Session) -> None:
    """Type, wait 6 s, SIGKILL the app, start again, resume from Home: the text is there."""
    del s
    unique = f"ខ្ញុំនៅចាំ {os.getpid()}-{int(time.time())}"
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-profile-") as tmp:
        profile = Path(tmp) / "profile"
        with app(profile) as first:
            set_lang(first, "en")
            create_profile(first)
            start_interview(first, "Dara-3")
            give_consent(first)
            to_account(first)
            first.wait("#narrative").type(unique)
            time.sleep(6)  # no blur, no End: only the timed autosave can have saved it
            pid = first.driver.kill_app(ARGS.app)
            print(f"    SIGKILLed fieldcase-desktop pid {pid}")
        with app(profile) as again:
            again.wait("#screen-unlock", timeout=30)
            unlock(again, PASSPHRASE)
            again.wait("#screen-home", timeout=30)
            draft = again.wait("#drafts li")
            check("Dara-3" in draft.text, f"the draft names the person: {draft.text!r}")
            shot(again, "home-drafts-en")
            again.wait("#drafts li .resume").click()
            step_is(again, "account")
            text = again.wait("#narrative").prop("value")
            check(unique in text, f"the narrative survived the kill: {text!r}")


def test_minor_needs_guardian_and_panic_saves(s: Session) -> None:
    """A minor without guardian or social worker is blocked; the panic key keeps the draft."""
    set_lang(s, "en")
    create_profile(s)
    start_interview(s, "Kunthea-12")
    give_consent(s)
    s.wait("#present-name-0").type("SW-02")
    s.wait("#minor").click()
    s.wait("#to-account").click()
    problem = s.wait("#problem").text
    check("guardian or a social worker" in problem, f"a minor is blocked: {problem!r}")
    step_is(s, "present")
    s.wait("#add-present").click()
    choose_option(s, "#present-role-1", "guardian")
    s.wait("#present-name-1").type("ម្ដាយ")
    s.wait("#to-account").click()
    step_is(s, "account")
    s.wait("#narrative").type("មុនពេលចាក់សោ")
    s.press(ESCAPE, ESCAPE, pause_ms=100)
    s.wait("#screen-unlock", timeout=2)
    check(not s.find_all("#narrative"), "the interview is gone from the screen")
    unlock(s, PASSPHRASE)
    s.wait("#screen-home", timeout=30)
    s.wait("#drafts li .resume").click()
    step_is(s, "account")
    check("មុនពេលចាក់សោ" in s.wait("#narrative").prop("value"), "typing before the panic key was saved")


def wait_text(s: Session, css: str, want: str, timeout: float = 10) -> str:
    """The text of `css` once it contains `want`."""
    deadline = time.monotonic() + timeout
    while True:
        text = s.wait(css).text
        if want in text:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{css} does not say {want!r}: {text!r}")
        time.sleep(0.1)


def set_value(s: Session, css: str, text: str) -> None:
    field = s.wait(css)
    field.clear()
    field.type(text)


def count_of(s: Session, kind: str) -> str:
    return s.wait(f"#counts [data-kind='{kind}'] dd").text


def test_bundle_from_field_to_office(s: Session) -> None:
    """Office first run (its age key in Settings); a field laptop records an interview, adds
    the office key in Settings, exports through the Export screen; the office trusts the
    laptop's key (read from the laptop's Settings), imports through the Import screen, and
    the records arrive. Refusals (no office key, file exists, untrusted signer, not a
    bundle, revoked laptop) show in plain words and change nothing."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-bundle-") as tmp:
        tmp_path = Path(tmp)
        office_profile, field_profile = tmp_path / "office", tmp_path / "field"
        bundle = tmp_path / "team2.fcb"
        receipt = tmp_path / "receipt.json"
        junk = tmp_path / "notes.fcb"
        junk.write_bytes(b"not a bundle at all\n")

        # 1. The office: first run as office; its recipient is in Settings.
        with app(office_profile) as office:
            set_lang(office, "en")
            create_profile(office, device="Phnom Penh office", role="office")
            check(office.wait("#home-role").attr("data-role") == "office", "home says office")
            check(not office.find_all("#open-export"), "an office has no Export button")
            office.wait("#open-settings").click()
            recipient = office.wait("#office-recipient").prop("value")
            check(recipient.startswith("age1") and len(recipient) == 62, f"office recipient: {recipient!r}")
            office_signing = office.wait("#office-signing-key").prop("value")
            office_fp = office.wait("#office-signing-fingerprint").text
            check(office_signing.startswith("RW") and len(office_fp) == 16, f"office signing key {office_signing!r}")
            office.wait("#no-trusted")

        # 2. The field laptop: an interview, the office key, a bundle.
        with app(field_profile) as field:
            set_lang(field, "en")
            create_profile(field, device="Team 2 laptop")
            check(field.wait("#home-role").attr("data-role") == "field", "home says field")
            start_interview(field, "Sreymom-07")
            give_consent(field)
            to_account(field)
            field.wait("#narrative").type(NARRATIVE_KM)
            field.wait("#end").click()
            field.wait("#screen-home", timeout=15)
            check(count_of(field, "interview") == "1", "the interview is recorded")
            awaiting = field.wait("#awaiting-export")
            check(awaiting.attr("data-count") == "2", f"person and interview await export: {awaiting.text!r}")
            check(field.wait("#last-export").attr("data-sequence") == "", "no bundle written yet")

            field.wait("#open-export").click()
            field.wait("#export-no-recipient")
            set_value(field, "#export-path", str(bundle))
            field.wait("#export-start").click()
            err = field.wait("#error", timeout=30)
            check(err.attr("data-code") == "no_recipient", f"no office key: {err.attr('data-code')}")
            check("Settings" in err.text, f"the error says where to fix it: {err.text!r}")
            check(not bundle.exists(), "nothing written without an office key")

            field.wait("#export-open-settings").click()
            field.wait("#screen-settings[data-role='field']")
            device_key = field.wait("#device-public-key").prop("value")
            fingerprint = field.wait("#device-fingerprint").text
            check(device_key.startswith("RW") and len(fingerprint) == 16, f"device key {device_key!r} {fingerprint!r}")
            field.wait("#no-recipients")
            field.wait("#new-recipient").type("age1notakey")
            field.wait("#add-recipient").click()
            check("not an office key" in field.wait("#problem").text, "a mistyped key is refused")
            set_value(field, "#new-recipient", recipient)
            field.wait("#add-recipient").click()
            reauth(field)
            field.wait("#notice")
            check(recipient in field.wait("#recipients").text, "the office key is listed")
            # The office's signing key, so that its receipts are accepted.
            field.wait("#no-trusted")
            field.wait("#trust-key").type(office_signing)
            field.wait("#trust-name").type("Phnom Penh office")
            field.wait("#trust-add").click()
            reauth(field)
            field.wait("#trust-notice")
            check(office_fp in field.wait(f"#trusted li[data-key-id='{office_fp}']").text, "the office is trusted")
            field.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(field, "settings-field-en")
            set_lang(field, "km")
            check(KHMER.search(field.wait("#settings-title").text) is not None, "Settings is Khmer")
            shot(field, "settings-field-km")
            set_lang(field, "en")
            field.wait("#settings-back").click()

            field.wait("#open-export").click()
            deadline = time.monotonic() + 10
            while not str(field.wait("#export-path").prop("value")).endswith(".fcb"):
                if time.monotonic() > deadline:
                    raise AssertionError("no default path was suggested")
                time.sleep(0.05)
            check(not field.find_all("#export-no-recipient"), "no office-key warning any more")
            set_value(field, "#export-path", str(bundle))
            t0 = time.monotonic()
            field.wait("#export-start").click()
            field.wait("#export-result", timeout=60)
            print(f"    export through the screen: {(time.monotonic() - t0) * 1000:.0f} ms")
            check(field.wait("#export-file").text == bundle.name, "the result names the file")
            counts = field.wait("#export-counts").text
            check(counts.startswith("2 records"), f"person and interview exported: {counts!r}")
            bundle_fp = field.wait("#export-fingerprint").text
            check(re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){3}", bundle_fp) is not None, f"fingerprint {bundle_fp!r}")
            data = bundle.read_bytes()
            check(data.startswith(b"age-encryption.org/"), "the bundle is an age file")
            check(NARRATIVE_KM.encode() not in data and b"Sreymom" not in data, "no plaintext in the bundle")
            check(field.wait("#export-size").text.endswith("KB"), "the size is shown")
            shot(field, "export-en")
            set_lang(field, "km")
            check(KHMER.search(field.wait("#export-title").text) is not None, "Export is Khmer")
            shot(field, "export-km")
            set_lang(field, "en")

            field.wait("#export-another").click()
            set_value(field, "#export-path", str(bundle))
            field.wait("#scope-all").click()
            field.wait("#export-start").click()
            err = field.wait("#error", timeout=30)
            check(err.attr("data-code") == "file_exists", f"an existing file is refused: {err.attr('data-code')}")
            check(bundle.read_bytes() == data, "the existing bundle was left as it was")

            field.wait("#export-back").click()
            last = field.wait("#last-export")
            check(last.attr("data-sequence") == "1", f"Home shows the last export: {last.text!r}")
            check(bundle_fp in last.text, f"with its fingerprint: {last.text!r}")
            awaiting = field.wait("#awaiting-export")
            check(awaiting.attr("data-count") == "2", "sent, but no receipt yet: still awaiting")
            check(awaiting.text == "Nothing new awaits export.", f"none unsent: {awaiting.text!r}")
            check(": 2 changes" in field.wait("#resend").text, "two to send again")
            check(field.wait("#receipt-awaited").text.endswith("1."), "one bundle awaits its receipt")
            field.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(field, "home-after-export-en")

        # 3. The office: an untrusted bundle is refused; trust the laptop; import.
        with app(office_profile) as office:
            office.wait("#screen-unlock", timeout=30)
            set_lang(office, "en")
            unlock(office, PASSPHRASE)
            office.wait("#screen-home", timeout=30)
            office.wait("#open-import").click()
            office.wait("#import-paths").type(str(bundle))
            office.wait("#import-start").click()
            refused = office.wait("#import-results li[data-outcome='refused'] [data-code]", timeout=30)
            check(refused.attr("data-code") == "untrusted", f"untrusted signer: {refused.attr('data-code')}")
            check(fingerprint in refused.text, f"the core's message names the key: {refused.text!r}")
            office.wait("#import-back").click()
            check(count_of(office, "interview") == "0", "a refused bundle changed nothing")

            office.wait("#open-settings").click()
            office.wait("#trust-key").type("RWQ-not-a-key")
            office.wait("#trust-name").type("Team 2 laptop")
            office.wait("#trust-add").click()
            check("not a signing key" in office.wait("#trust-problem").text, "a mistyped key is refused")
            set_value(office, "#trust-key", device_key)
            office.wait("#trust-add").click()
            reauth(office)
            office.wait("#trust-notice")
            check(fingerprint in office.wait(f"#trusted li[data-key-id='{fingerprint}']").text, "the laptop is trusted")
            office.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(office, "settings-office-en")
            office.wait("#settings-back").click()

            office.wait("#open-import").click()
            office.wait("#import-paths").type(str(bundle))
            office.press(ENTER)  # one path per line
            office.wait("#import-paths").type(str(junk))
            t0 = time.monotonic()
            office.wait("#import-start").click()
            done = wait_text(office, "#import-done", "1 imported, 1 refused", timeout=60)
            print(f"    import of two files through the screen: {(time.monotonic() - t0) * 1000:.0f} ms ({done})")
            ok = office.wait("#import-results li[data-outcome='imported']")
            check("Team 2 laptop" in ok.text, f"the summary names the laptop: {ok.text!r}")
            added = office.wait("#import-results li[data-outcome='imported'] .added").text
            check(int(added) >= 2, f"new revisions: {added}")
            check(office.wait("#import-results li[data-outcome='imported'] .known").text == "0", "none skipped")
            check(office.wait("#import-results li[data-outcome='imported'] .conflicts").text == "0", "no conflicts")
            check(office.wait("#import-results li[data-outcome='imported'] .gaps").text == "None", "no gaps")
            check(
                office.wait("#import-results li[data-outcome='imported'] .fingerprint").text == bundle_fp,
                "the office sees the fingerprint the laptop showed",
            )
            junk_code = office.wait("#import-results li[data-outcome='refused'] [data-code]").attr("data-code")
            check(junk_code == "bundle_refused", f"not a bundle: {junk_code}")
            # The receipt for the laptop, written under the imported bundle.
            office.wait("#import-results li[data-outcome='imported'] .receipt-open").click()
            set_value(office, "#import-results li[data-outcome='imported'] .receipt-path-input", str(receipt))
            office.wait("#import-results li[data-outcome='imported'] .receipt-write").click()
            written = office.wait("#import-results li[data-outcome='imported'] .receipt-written", timeout=30).text
            check(str(receipt) in written and "bundle 1" in written, f"the receipt is written: {written!r}")
            check(receipt.exists() and b"Sreymom" not in receipt.read_bytes(), "a receipt holds no record content")
            office.execute("document.activeElement.blur(); document.getElementById('import-done').scrollIntoView()")
            shot(office, "import-en")
            set_lang(office, "km")
            check(KHMER.search(office.wait("#import-title").text) is not None, "Import is Khmer")
            office.execute("document.getElementById('import-done').scrollIntoView()")
            shot(office, "import-km")
            set_lang(office, "en")

            set_value(office, "#import-paths", str(bundle))
            office.wait("#import-start").click()
            again = wait_text(office, "#import-results li[data-outcome='imported']", "imported before", timeout=30)
            check("imported before" in again, "a second import changes nothing")
            office.wait("#import-back").click()
            check(count_of(office, "interview") == "1", "the interview arrived at the office")
            check(count_of(office, "person") == "1", "the person arrived at the office")

            office.wait("#open-settings").click()
            office.wait(f"#trusted li[data-key-id='{fingerprint}'] .revoke").click()
            office.wait(f"#trusted li[data-key-id='{fingerprint}'] .revoke-yes").click()
            wait_text(office, f"#trusted li[data-key-id='{fingerprint}']", "revoked")
            check(not office.find_all(f"#trusted li[data-key-id='{fingerprint}'] .revoke"), "revoked for good")

        # 4. The laptop reads the receipt (a junk one is refused first) and removes what the
        #    office holds, after a confirmation.
        with app(field_profile) as field:
            field.wait("#screen-unlock", timeout=30)
            set_lang(field, "en")
            unlock(field, PASSPHRASE)
            field.wait("#screen-home", timeout=30)
            field.wait("#open-export").click()
            field.wait("#receipt-in-path").type(str(junk))
            field.wait("#receipt-in-read").click()
            err = field.wait(".receipt-in [data-code]", timeout=30)
            check(err.attr("data-code") == "receipt_refused", f"a junk receipt is refused: {err.attr('data-code')}")
            check("not a Fieldcase receipt" in err.text, f"with the detail: {err.text!r}")
            set_value(field, "#receipt-in-path", str(receipt))
            field.wait("#receipt-in-read").click()
            read = field.wait("#receipt-in-done", timeout=30).text
            check("bundle 1" in read, f"the receipt is read: {read!r}")
            field.wait("#purge-start").click()
            field.wait("#purge-confirm")
            check(field.execute("return document.activeElement.id") == "purge-no", "the safe choice has the focus")
            field.wait("#purge-yes").click()
            reauth(field)
            purged = field.wait("#purge-done", timeout=30)
            check(int(purged.attr("data-revisions") or 0) >= 2, f"the acknowledged changes are removed: {purged.text!r}")
            field.execute("document.getElementById('purge-done').scrollIntoView()")
            shot(field, "receipt-and-purge-en")
            field.wait("#export-back").click()
            field.wait("#screen-home")
            check(not field.find_all("#receipt-awaited"), "no bundle awaits its receipt any more")


def cli(profile: Path, *args: str) -> str:
    """Runs the `fieldcase` CLI built beside the app on `profile`; returns its stdout."""
    binary = Path(ARGS.app).parent / "fieldcase"
    env = dict(os.environ, FIELDCASE_PROFILE=str(profile), FIELDCASE_PASSPHRASE=PASSPHRASE)
    done = subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"fieldcase {' '.join(args)}: exit {done.returncode}: {done.stderr}")
    return done.stdout


# A valid age recipient (the example key from age's documentation): nothing here decrypts.
SOME_OFFICE = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
# Big enough that a debug build takes several seconds to export it (about 3 MB/s of CPU).
LARGE_MB = 16


def test_large_export_shows_progress_and_the_panic_key_works(s: Session) -> None:
    """A bundle with a 16 MB attachment (added with the CLI): the Export screen shows bytes
    and time left while the window stays responsive; the panic key locks at once mid-export;
    the export still completes, and the profile opens again once it has."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-large-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "field"
        with app(profile) as first:
            set_lang(first, "en")
            create_profile(first)
        wait_profile_free(profile)
        (tmp_path / "person.json").write_text(cli(profile, "example", "person"))
        person = cli(profile, "add", "person", "--file", str(tmp_path / "person.json")).strip()
        scan = tmp_path / "scan.pdf"
        with scan.open("wb") as f:
            f.truncate(LARGE_MB * 1000 * 1000)
        t0 = time.monotonic()
        cli(profile, "attach", person, str(scan), "--description", "Scanned document")
        print(f"    attach {LARGE_MB} MB with the CLI: {time.monotonic() - t0:.1f} s")
        scan.unlink()
        cli(profile, "office", "add-recipient", SOME_OFFICE)
        bundle = tmp_path / "large.fcb"

        with app(profile) as field:
            field.wait("#screen-unlock", timeout=30)
            set_lang(field, "en")
            unlock(field, PASSPHRASE)
            field.wait("#screen-home", timeout=30)
            field.wait("#open-export").click()
            field.wait("#screen-export")
            time.sleep(0.3)  # the suggested path lands first
            set_value(field, "#export-path", str(bundle))
            t0 = time.monotonic()
            field.wait("#export-start").click()
            text = wait_text(field, "#export-progress-text", "MB of", timeout=30)
            print(f"    progress: {text!r}")
            wait_text(field, "#export-progress-text", "left", timeout=30)
            bar = field.wait("#export-progress-bar").prop("value")
            check(isinstance(bar, (int, float)) and 0 < bar < 1000, f"the bar moves: {bar}")
            shot(field, "export-progress-en")
            # The window answers while the export runs: the panic key locks at once.
            t1 = time.monotonic()
            field.press(ESCAPE, ESCAPE, pause_ms=100)
            field.wait("#screen-unlock", timeout=2)
            print(f"    panic key mid-export to unlock screen: {(time.monotonic() - t1) * 1000:.0f} ms")
            # The lock stops the export (crate::stop): no half-written bundle is left, and
            # the profile is free again within a second or so (a moment of `busy` at most).
            deadline = time.monotonic() + 10
            while True:
                unlock(field, PASSPHRASE)
                deadline_step = time.monotonic() + 30
                while not (field.find_all("#screen-home") or field.find_all("#error")):
                    if time.monotonic() > deadline_step:
                        raise AssertionError("unlock neither opened nor failed")
                    time.sleep(0.1)
                if field.find_all("#screen-home"):
                    break
                code = field.wait("#error").attr("data-code")
                check(code == "busy", f"right after the lock an unlock may say busy: {code}")
                if time.monotonic() > deadline:
                    raise AssertionError("the stopped export never released the profile")
                time.sleep(0.2)
            print(f"    profile open again {(time.monotonic() - t1) * 1000:.0f} ms after the panic key")
            check(not bundle.exists(), "the stopped export left no bundle behind")
            # Exported again, whole this time.
            field.wait("#open-export").click()
            field.wait("#screen-export")
            time.sleep(0.3)
            set_value(field, "#export-path", str(bundle))
            t0 = time.monotonic()
            field.wait("#export-start").click()
            field.wait("#export-result", timeout=300)
            ms = (time.monotonic() - t0) * 1000
            size = bundle.stat().st_size
            print(f"    export of {size / 1e6:.0f} MB finished within {ms:.0f} ms ({size / 1e3 / ms:.0f} MB/s)")
            check(size > LARGE_MB * 1000 * 1000, f"the bundle is complete: {size} bytes")
            check(bundle.read_bytes()[:19] == b"age-encryption.org/", "an age file")


def test_office_conflicts_and_devices(s: Session) -> None:
    """The office and a laptop change the same establishment apart (real bundles, made with
    the CLI); at the office the Conflicts screen shows both versions and the fields that
    differ, and choosing field by field resolves it into one revision with both as parents.
    The Devices screen shows the laptop's bundles by number, the one that never arrived,
    and the receipt written for the first."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-conflict-") as tmp:
        tmp_path = Path(tmp)
        office_p, field_p = tmp_path / "office", tmp_path / "field"
        fast = "--insecure-fast-kdf-for-tests"
        cli(office_p, "init", "--device-name", "Phnom Penh office", "--author", "OFF-01", fast)
        recipient = cli(office_p, "office", "init").strip().splitlines()[-1]
        cli(field_p, "init", "--device-name", "Team 2 laptop", "--author", "INV-02", fast)
        cli(field_p, "office", "add-recipient", recipient)
        key = json.loads(cli(field_p, "--json", "keys", "show"))["public_key"]
        cli(office_p, "trust", "add", key, "--name", "ឡាន ២")
        key_id = json.loads(cli(office_p, "--json", "trust", "list"))[0]["key_id"]
        record = tmp_path / "record.json"
        record.write_text(cli(field_p, "example", "establishment"), encoding="utf-8")
        place = cli(field_p, "add", "establishment", "--file", str(record)).strip()
        cli(field_p, "export", "--out", str(tmp_path / "1.fcb"))
        first = json.loads(cli(office_p, "--json", "import", str(tmp_path / "1.fcb")))["bundle_id"]
        cli(office_p, "receipt", first, "--out", str(tmp_path / "receipt-1.json"))

        def edit(profile: Path, changes: dict) -> None:
            body = json.loads(cli(profile, "--json", "show", place))["body"]
            body.update(changes)
            record.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            cli(profile, "edit", place, "--file", str(record))

        office_name, field_name = "ផ្កាយព្រឹក KTV (office)", "ផ្កាយព្រឹក KTV (laptop)"
        office_notes, field_notes = "Owner changed in May.", "Guard changed. ឆ្មាំប្តូរ។"
        edit(office_p, {"name": office_name, "notes": office_notes})
        edit(field_p, {"name": field_name, "notes": field_notes})
        cli(field_p, "export", "--out", str(tmp_path / "2.fcb"))
        cli(office_p, "import", str(tmp_path / "2.fcb"))
        check(len(json.loads(cli(office_p, "--json", "conflicts"))) == 1, "the import made a conflict")
        # Bundle 3 is lost on the way; bundle 4 arrives.
        for n in (3, 4):
            (tmp_path / "person.json").write_text(cli(field_p, "example", "person"), encoding="utf-8")
            cli(field_p, "add", "person", "--file", str(tmp_path / "person.json"))
            cli(field_p, "export", "--out", str(tmp_path / f"{n}.fcb"))
        cli(office_p, "import", str(tmp_path / "4.fcb"))

        with app(office_p) as office:
            office.wait("#screen-unlock", timeout=30)
            set_lang(office, "en")
            unlock(office, PASSPHRASE)
            office.wait("#screen-home", timeout=30)
            office.wait("#open-conflicts").click()
            office.wait(f"#conflicts li[data-id='{place}'] .compare").click()
            time.sleep(2)
            office.wait("#versions")
            versions = [li.text for li in office.find_all("#versions li")]
            check(len(versions) == 2, f"two versions side by side: {versions!r}")
            laptop = next(j for j, v in enumerate(versions) if "INV-02" in v)
            at_office = 1 - laptop
            name_row = office.wait("#differences tr[data-path='/name']").text
            check(office_name in name_row and field_name in name_row, f"both names shown: {name_row!r}")
            office.wait("#differences tr[data-path='/notes']")
            label = office.wait("#differences tr[data-path='/name'] th .label").text
            check(label == "Name", f"a field by its label, not its path: {label!r}")
            check(office.wait("#differences tr[data-path='/name'] th .path").text == "/name", "the path beside it")
            office.wait(f"#differences tr[data-path='/name'] input[value='{laptop}']").click()
            office.wait(f"#differences tr[data-path='/notes'] input[value='{at_office}']").click()
            office.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(office, "conflicts-en")
            set_lang(office, "km")
            check(KHMER.search(office.wait("#conflicts-title").text) is not None, "Conflicts is Khmer")
            check(KHMER.search(office.wait("#differences tr[data-path='/notes'] th .label").text) is not None, "field names too")
            shot(office, "conflicts-km")
            set_lang(office, "en")
            office.wait("#resolve-merge").click()
            office.wait("#conflicts-resolved", timeout=30)
            office.wait("#no-conflicts")
            office.wait("#conflicts-back").click()

            office.wait("#open-devices").click()
            device = f"#screen-devices article[data-key-id='{key_id}']"
            check("ឡាន ២" in office.wait(f"{device} h2").text, "the laptop by the name it was trusted under")
            check("3" in office.wait(f"{device} .missing").text, "the missing bundle is named")
            statuses = [(li.attr("data-sequence"), li.attr("data-status")) for li in office.find_all(f"{device} .timeline li")]
            check(
                statuses == [("1", "received"), ("2", "received"), ("3", "missing"), ("4", "received")],
                f"bundles by number with the gap: {statuses!r}",
            )
            check("receipt written" in office.wait(f"{device} li[data-sequence='1'] .receipts").text, "bundle 1's receipt")
            check("no receipt" in office.wait(f"{device} li[data-sequence='2'] .receipts").text, "none for bundle 2")
            office.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(office, "devices-en")
            set_lang(office, "km")
            check(KHMER.search(office.wait("#devices-title").text) is not None, "Devices is Khmer")
            shot(office, "devices-km")
            set_lang(office, "en")

        wait_profile_free(office_p)
        check(json.loads(cli(office_p, "--json", "conflicts")) == [], "no conflict left")
        shown = json.loads(cli(office_p, "--json", "show", place))
        check(shown["body"]["name"] == field_name, f"the laptop's name kept: {shown['body']['name']!r}")
        check(shown["body"]["notes"] == office_notes, f"the office's notes kept: {shown['body']['notes']!r}")
        check(len(shown["heads"]) == 1, "one version again")
        history = json.loads(cli(office_p, "--json", "show", place, "--history"))
        newest = history[-1]
        check(len(newest["parents"]) == 2, f"the resolution has both versions as parents: {newest['parents']!r}")

def test_office_reports(s: Session) -> None:
    """An office holding prevalence-count visits (added with the CLI) in Phnom Penh (January
    and March; nobody in February) and Siem Reap (March): the Reports screen shows January's
    share 15 and under with its Wilson interval, February as zeros with no interval, the
    "unweighted" sentence, and one chart point per period with a share; casework renders; a
    visits CSV for partners is written where typed (never over a file), and logged."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-reports-") as tmp:
        tmp_path = Path(tmp)
        office_p = tmp_path / "office"
        cli(office_p, "init", "--device-name", "Phnom Penh office", "--author", "OFF-01", "--insecure-fast-kdf-for-tests")
        cli(office_p, "office", "init")
        example = json.loads(cli(office_p, "example", "establishment"))
        visit_example = json.loads(cli(office_p, "example", "visit"))

        def place(province: str, name: str) -> str:
            body = dict(example, name=name, location=dict(example["location"], province=province, city=province))
            (tmp_path / "e.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            return cli(office_p, "add", "establishment", "--file", str(tmp_path / "e.json")).strip()

        def visit(establishment: str, day: str, counts: list[tuple[str, int]]) -> None:
            body = dict(
                visit_example,
                establishment_id=establishment,
                started_at=f"{day}T13:05:00Z",
                ended_at=f"{day}T14:20:00Z",
                counts=[{"age_band": band, "sex": "female", "count": n} for band, n in counts],
            )
            (tmp_path / "v.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            cli(office_p, "add", "visit", "--file", str(tmp_path / "v.json"))

        phnom_penh, siem_reap = place("Phnom Penh", "ផ្កាយព្រឹក KTV"), place("Siem Reap", "Angkor Beer Garden")
        # Every count 0 or at least 11, so the small-cell rule withholds nothing.
        visit(phnom_penh, "2026-01-10", [("under_16", 12), ("adult", 36)])
        visit(phnom_penh, "2026-03-05", [("under_16", 11), ("age_16_17", 11), ("adult", 33), ("unknown", 11)])
        visit(siem_reap, "2026-03-20", [("adult", 20)])
        # One person interviewed in January and March: cells of 1, withheld unless lowered.
        (tmp_path / "p.json").write_text(cli(office_p, "example", "person"), encoding="utf-8")
        person = cli(office_p, "add", "person", "--file", str(tmp_path / "p.json")).strip()
        interview_example = json.loads(cli(office_p, "example", "interview"))
        for day in ("2026-01-15", "2026-03-02"):
            body = dict(
                interview_example,
                person_id=person,
                establishments_named=[],
                breaks=[],
                started_at=f"{day}T02:00:00Z",
                ended_at=f"{day}T03:00:00Z",
            )
            (tmp_path / "i.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            cli(office_p, "add", "interview", "--file", str(tmp_path / "i.json"))
        csv_path = tmp_path / "visits.csv"

        with app(office_p) as office:
            office.wait("#screen-unlock", timeout=30)
            set_lang(office, "en")
            unlock(office, PASSPHRASE)
            office.wait("#screen-home", timeout=30)
            office.wait("#open-reports").click()
            office.wait("#screen-reports")
            pp = "#prevalence article[data-place='Phnom Penh']"

            def col(period: str, name: str) -> str:
                return office.wait(f"{pp} tr[data-period='{period}'] [data-col='{name}']").text

            # 12 of 48 judged: 25.0 %, Wilson 95 % interval 14.92 % to 38.78 %.
            check(col("2026-01", "people") == "48", "48 observed in January")
            share = col("2026-01", "share-under16")
            check(share == "25.0 % (14.9–38.8 %)", f"January's share and interval: {share!r}")
            check(col("2026-02", "people") == "0", "an empty February counts zero")
            check(col("2026-02", "share-under16") == "no interval", "and has no interval")
            check("NaN" not in office.wait("#prevalence").text, "never NaN")
            check("Unweighted counts" in office.wait("#unweighted").text, "the unweighted sentence is shown")
            periods = [p.attr("data-period") for p in office.find_all(f"{pp} svg.trend circle.point")]
            check(periods == ["2026-01", "2026-03"], f"one point per period with a share, none for February: {periods!r}")
            check(len(office.find_all(f"{pp} svg.trend rect.point")) == 2, "16-17: January (0 %) and March")
            siem = "#prevalence article[data-place='Siem Reap'] svg.trend circle.point"
            check(len(office.find_all(siem)) == 1, "Siem Reap: March only")
            check(office.wait(f"{pp} svg.trend path.band.under16").attr("d").count("Z") == 2, "a band per run of periods")
            # Quarterly: one row for Q1 holding both visits.
            choose_option(office, "#report-by", "quarter")
            office.wait("#report-run").click()
            wait_text(office, f"{pp} tr[data-period='2026-Q1'] [data-col='people']", "114")
            choose_option(office, "#report-by", "month")
            office.wait("#report-run").click()
            office.wait(f"{pp} tr[data-period='2026-02']")
            office.execute("document.activeElement.blur(); document.querySelector(arguments[0]).scrollIntoView()", pp)
            shot(office, "reports")
            set_lang(office, "km")
            check(KHMER.search(office.wait("#reports-title").text) is not None, "Reports is Khmer")
            check(KHMER.search(office.wait("#unweighted").text) is not None, "and so is the unweighted sentence")
            shot(office, "reports-km")
            set_lang(office, "en")

            set_value(office, "#report-from", "2026-13-01")
            office.wait("#report-run").click()
            office.wait("#report-bad-date")
            set_value(office, "#report-from", "2026-01-01")
            choose_option(office, "#report-which", "casework")
            office.wait("#report-run").click()
            office.wait("#casework-status tr[data-status='intake']")
            check(len(office.find_all("#casework-ilo tbody tr")) == 11, "the ILO's eleven indicators")
            jan = "#casework-periods tr[data-period='2026-01'] [data-col='interviews_held']"
            check(office.wait(jan).text == "withheld", "one interview is a small cell: withheld")
            check(office.find_all("#casework-chart rect.bar") == [], "and draws no bar")
            # Lowered deliberately (and logged): the cells of one show, and their bars.
            office.wait("#report-lower").click()
            set_value(office, "#report-min-cell", "1")
            office.wait("#report-run").click()
            reauth(office)
            wait_text(office, jan, "1")
            bars = [(b.attr("data-period"), b.attr("data-series")) for b in office.find_all("#casework-chart rect.bar")]
            check(
                bars == [("2026-01", "interviews_held"), ("2026-01", "victims_identified"), ("2026-03", "interviews_held")],
                f"a bar per non-zero figure: {bars!r}",
            )
            office.execute("document.activeElement.blur(); document.getElementById('casework-chart').scrollIntoView({block: 'center'})")
            shot(office, "reports-casework")

            office.wait("#partner-records").click()
            choose_option(office, "#partner-kind", "visit")
            set_value(office, "#partner-path", str(csv_path))
            office.wait("#partner-write").click()
            wait_text(office, "#partner-written", "3 rows")
            office.wait("#partner-write").click()
            check(office.wait("#error").attr("data-code") == "file_exists", "an existing file is never replaced")

        lines = csv_path.read_text(encoding="utf-8").strip().splitlines()
        check(len(lines) == 4, f"a header and three visits: {lines[:1]!r}")
        wait_profile_free(office_p)
        log = json.dumps(json.loads(cli(office_p, "--json", "audit", "log")))
        check("data_exported" in log, "the partner file is in the audit log")
        check("min_cell" in log, f"the lowered threshold is in the audit log: {log[-400:]!r}")


LEGAL_NAME = "Sok Chanthy"


def test_search_history_and_identity_reveal(s: Session) -> None:
    """Record an interview; edit it and give the person an identity section (CLI, while the
    app is locked); search a Khmer substring of the narrative, open the interview, see its
    history with the edited field; open the person; identity shows only after a button and
    a confirmation, is logged in the audit chain, and is hidden again after leaving."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-search-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "field"
        with app(profile) as a:
            set_lang(a, "en")
            create_profile(a)
            start_interview(a, "Sreymom-07")
            give_consent(a)
            to_account(a)
            a.wait("#narrative").type(NARRATIVE_KM)
            a.wait("#notes").type("Calm at first.")
            a.wait("#end").click()
            a.wait("#screen-home", timeout=15)
            a.wait("#hide-lock").click()
            a.wait("#screen-unlock", timeout=2)

            # An edit of the interview and an identity for the person, through the CLI.

            interview = json.loads(cli(profile, "--json", "list", "interview"))[0]["id"]
            body = json.loads(cli(profile, "--json", "show", interview))["body"]
            body["interviewer_notes"] = "Calm at first; asked for water."
            (tmp_path / "iv.json").write_text(json.dumps(body, ensure_ascii=False))
            cli(profile, "edit", interview, "--file", str(tmp_path / "iv.json"))
            person = json.loads(cli(profile, "--json", "list", "person"))[0]["id"]
            pbody = json.loads(cli(profile, "--json", "show", person))["body"]
            pbody["identity"] = {"legal_name": LEGAL_NAME, "birth_date": "2007-04-02"}
            (tmp_path / "p.json").write_text(json.dumps(pbody, ensure_ascii=False))
            cli(profile, "edit", person, "--file", str(tmp_path / "p.json"))

            unlock(a, PASSPHRASE)
            a.wait("#screen-home", timeout=30)
            # Keyboard only: focus the Search button, Enter; the query field has the focus.
            a.wait("#open-search")
            a.execute("document.getElementById('open-search').focus()")
            a.press(ENTER)
            a.wait("#screen-search")
            check(a.execute("return document.activeElement.id") == "search-query", "the query field has the focus")
            a.wait("#search-query").type("ភោជនីយដ្ឋាន")  # a Khmer substring of the narrative
            a.press(ENTER)
            hit = a.wait("#search-results li[data-kind='interview']", timeout=15)
            check(hit.attr("data-id") == interview, "the interview is found by a Khmer substring")
            check(LEGAL_NAME not in a.wait("#screen-search").text, "no identity in results")
            a.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(a, "search-en")
            set_lang(a, "km")
            check(KHMER.search(a.wait("#search-title").text) is not None, "Search is Khmer")
            shot(a, "search-km")
            set_lang(a, "en")
            a.wait(f"#search-results li[data-id='{interview}'] .open").click()

            a.wait("#screen-record[data-kind='interview']", timeout=15)
            check(NARRATIVE_KM in a.wait("#record-narrative").text, "the survivor's words are shown")
            check("asked for water" in a.wait("#record-notes").text, "the notes are shown apart")
            entries = a.find_all("#record-history > li")
            check(len(entries) == 2, f"two revisions in the history: {len(entries)}")
            newest = a.wait("#record-history > li:first-child").text
            check("Interviewer’s notes" in newest and "asked for water" in newest, f"the edit: {newest!r}")
            check("Team 2 laptop" in newest, f"the device is named: {newest!r}")
            check("Created" in a.wait("#record-history > li:last-child").text, "the first revision created it")
            a.execute("document.activeElement.blur(); document.getElementById('history-title').scrollIntoView()")
            shot(a, "record-history-en")
            set_lang(a, "km")
            check(KHMER.search(a.wait("#history-title").text) is not None, "the history is Khmer")
            a.execute("document.getElementById('history-title').scrollIntoView()")
            shot(a, "record-history-km")
            set_lang(a, "en")

            # Consent withdrawn later: one action on the interview, with the date and who.
            police = "#consent li[data-part='sharing_with_police']"
            check(a.wait(police).attr("data-state") == "given", "sharing with the police was given")
            a.wait("#consent-withdraw").click()
            choose_option(a, "#cw-part", "sharing_with_police")
            set_value(a, "#cw-date", "2999-01-01")
            a.wait("#cw-by").type("SW-11 សុភា")
            a.wait("#cw-confirm").click()
            check("YYYY-MM-DD" in a.wait("#cw-problem").text, "a date in the future is refused")
            set_value(a, "#cw-date", time.strftime("%Y-%m-%d"))
            a.wait("#cw-confirm").click()
            a.wait("#consent-done", timeout=15)
            withdrawn = a.wait(police)
            check(withdrawn.attr("data-state") == "withdrawn", f"shown as withdrawn: {withdrawn.text!r}")
            check("SW-11 សុភា" in withdrawn.text, f"with who recorded it: {withdrawn.text!r}")
            check(a.wait("#consent li[data-part='interview']").attr("data-state") == "given", "the rest stands")
            check(len(a.find_all("#record-history > li")) == 3, "the withdrawal is a revision of its own")
            a.execute("document.activeElement.blur(); document.getElementById('consent').scrollIntoView()")
            shot(a, "consent-withdrawn-en")

            a.wait("#record-open-person").click()
            a.wait("#screen-record[data-kind='person']", timeout=15)
            a.wait("#identity[data-state='hidden']")
            check(a.wait("#record-interviews li").attr("data-id") == interview, "the person lists the interview")
            check(LEGAL_NAME not in a.wait("#screen-record").text, "identity is hidden at first")
            a.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(a, "person-identity-hidden-en")
            set_lang(a, "km")
            check(KHMER.search(a.wait("#identity-show").text) is not None, "the reveal button is Khmer")
            shot(a, "person-identity-hidden-km")
            set_lang(a, "en")
            a.wait("#identity-show").click()
            check("audit log" in a.wait("#identity-confirm-text").text, "the confirmation says it is logged")
            check(LEGAL_NAME not in a.wait("#screen-record").text, "not shown before confirming")
            a.wait("#identity-yes").click()
            shown = a.wait("#identity-fields", timeout=15).text
            check(LEGAL_NAME in shown, f"identity shown after confirming: {shown!r}")

            # Leave and come back: hidden again.
            a.wait("#record-back").click()
            a.wait("#screen-record[data-kind='interview']", timeout=15)
            a.wait("#record-open-person").click()
            a.wait("#identity[data-state='hidden']", timeout=15)
            check(LEGAL_NAME not in a.wait("#screen-record").text, "hidden again after leaving")

            # The People list opens the same person, hidden.
            a.wait("#record-back").click()
            a.wait("#record-back").click()
            a.wait("#screen-search")
            a.wait("#search-back").click()
            a.wait("#open-persons").click()
            a.wait(f"#persons-list li[data-id='{person}'] .open").click()
            a.wait("#identity[data-state='hidden']", timeout=15)
            check(LEGAL_NAME not in a.wait("#screen-record").text, "hidden when opened from People")

            # Reveal, then the panic key: after unlocking, nothing of it is left on screen.
            a.wait("#identity-show").click()
            a.wait("#identity-yes").click()
            a.wait("#identity-fields", timeout=15)
            a.press(ESCAPE, ESCAPE, pause_ms=100)
            a.wait("#screen-unlock", timeout=2)
            check(LEGAL_NAME not in a.execute("return document.body.innerText"), "the panic key hides it")

            log = json.loads(cli(profile, "--json", "audit", "log"))
            reveals = [e for e in log if e["action"] == "identity_revealed" and e["record_id"] == person]
            check(len(reveals) == 2, f"each reveal is in the audit chain: {len(reveals)}")
            check(not [e for e in log if e["action"] == "identity_revealed" and e["record_id"] != person],
                  "nothing else was revealed")
            unlock(a, PASSPHRASE)
            a.wait("#screen-home", timeout=30)
            check(LEGAL_NAME not in a.execute("return document.body.innerText"), "not back after unlocking")
# ------------------------------------------------ establishments and visits


def json_out(profile: Path, *args: str):
    import json

    return json.loads(cli(profile, *args, "--json"))


def tiny_png() -> bytes:
    """A real 32×32 PNG (a red square), so the app has a photo it can decode."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * 32 for _ in range(32))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 32, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def wait_profile_free(profile: Path, timeout: float = 15) -> None:
    """Waits until the CLI can open `profile` (a closed app may take a moment to let go)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cli(profile, "list", "establishment")
            return
        except AssertionError as e:
            if "exit 6" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def rows_of(listed) -> list:
    return listed["records"] if isinstance(listed, dict) else listed


def add_establishment(s: Session, name: str) -> None:
    """Establishments -> Add: refusals by the core shown at the field they name, then saved."""
    s.wait("#est-add").click()
    s.wait("#screen-establishments[data-mode='form']")
    check(s.execute("return document.activeElement.id") == "est-name", "the name field has focus")
    s.wait("#est-name").type(name)
    s.wait("#est-save").click()
    problem = s.wait("#est-type-problem").text
    check("type" in problem or "variant" in problem, f"a missing type is named at the type: {problem!r}")
    choose_option(s, "#est-type", "karaoke_bar")
    s.wait("#est-save").click()
    problem = s.wait("#est-location-problem").text
    check("province" in problem, f"a missing location is named at the location: {problem!r}")
    s.wait("#est-province").type("Preah Sihanouk")
    s.wait("#est-city").type("Sihanoukville")
    s.wait("#est-save").click()
    s.wait("#screen-establishments[data-mode='list']")
    wait_text(s, "#est-list", name)


def type_count(s: Session, band: str, sex: str, n: str) -> None:
    set_value(s, f"#count-{band}-{sex}", n)


def test_establishment_and_visit_with_attachment(s: Session) -> None:
    """Add an establishment (core refusals shown at the field), enter a visit: counts with
    running totals, age judgement, sampling, indicators, a follow-up; core refusals shown at
    the field they name; Save commits it; a file attached by path shows the SHA-256 Python
    computes; Home counts it; the CLI finds the visit with its counts and indicators."""
    del s
    import hashlib

    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-visit-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "profile"
        photo = tmp_path / "front-door.png"
        photo.write_bytes(tiny_png())
        want_sha = hashlib.sha256(photo.read_bytes()).hexdigest()
        with app(profile) as s:
            set_lang(s, "en")
            create_profile(s)
            s.wait("#open-establishments").click()
            s.wait("#est-none")
            add_establishment(s, "Closed Place")
            closed_id = s.execute(
                "return [...document.querySelectorAll('#est-list li')].find(li => li.textContent.includes('Closed Place')).dataset.id"
            )
            add_establishment(s, "Golden Star KTV")
            check("saved" in s.wait("#est-notice").text, "the list says it was saved")
            # Edit keeps it one record, with the new value.
            s.wait("#est-list li .est-edit").click()
            check(s.wait("#est-city").prop("value") == "Sihanoukville", "the edit form loads the record")
            s.wait("#est-address").type("Street 230, two doors from the night market")
            s.wait("#est-save").click()
            s.wait("#screen-establishments[data-mode='list']")
            check(len(s.find_all("#est-list li")) == 2, "an edit is not a third establishment")
            check(s.wait("#est-list li").text.startswith("Golden Star KTV"), "most recently changed first")
            s.execute("document.activeElement.blur(); window.scrollTo(0, 0)")
            shot(s, "establishments-en")

            s.wait("#est-list li .est-visit").click()
            s.wait("#screen-visit[data-state='draft']")
            wait_text(s, "#visit-title", "Golden Star KTV")
            s.wait("#visit-team").type("INV-07, INV-12")
            type_count(s, "adult", "female", "10")
            check(s.wait("#total-grand").text == "10", "the grand total follows the typing")
            type_count(s, "age_16_17", "female", "2")
            type_count(s, "under_16", "female", "1")
            type_count(s, "adult", "male", "3")
            totals = {
                "row adult": s.wait("#total-row-adult").text,
                "row 16-17": s.wait("#total-row-age_16_17").text,
                "col female": s.wait("#total-col-female").text,
                "col male": s.wait("#total-col-male").text,
                "grand": s.wait("#total-grand").text,
            }
            check(
                totals == {"row adult": "13", "row 16-17": "2", "col female": "13", "col male": "3", "grand": "16"},
                f"running totals: {totals}",
            )
            check("Minors (17 and under): 3" in s.wait("#counts-summary").text, "minors are summed")
            type_count(s, "unknown", "unknown", "x")
            s.wait("#counts-invalid")
            check(s.wait("#count-unknown-unknown").attr("aria-invalid") == "true", "the bad box is marked")
            check(s.wait("#total-grand").text == "16", "a bad box is left out of the total")
            type_count(s, "unknown", "unknown", "0")
            check(not s.find_all("#counts-invalid"), "the warning goes with the bad value")

            # The core's refusals, each next to the field it names.
            s.wait("#visit-commit").click()
            judged = s.wait("#visit-judged-problem", timeout=30).text
            check("how ages were judged" in judged, f"age judgement refused at its field: {judged!r}")
            s.execute("document.getElementById('visit-judged-problem').scrollIntoView({block: 'center'})")
            shot(s, "visit-refusal-en")
            s.wait("#judged-appearance").click()
            s.wait("#visit-commit").click()
            sampling = s.wait("#visit-sampling-problem").text
            check("must not be empty" in sampling, f"sampling refused at its field: {sampling!r}")
            check(s.wait("#visit-stratum").attr("aria-invalid") == "true", "the stratum is marked")
            s.wait("#visit-stratum").type("SHV/karaoke/evening")
            s.wait("#visit-replaced").click()
            choose_option(s, "#visit-replaced-id", closed_id)
            visited = s.execute(
                "return [...document.querySelectorAll('#visit-replaced-id option')].map(o => o.textContent)"
            )
            check("Golden Star KTV" not in visited, f"the visited place cannot replace itself: {visited}")
            check(not s.find_all("#visit-sampling-problem"), "fixing the field takes its refusal away")
            choose_option(s, "#visit-confidence", "medium")
            s.wait("#indicator-guards").click()
            s.wait("#indicator-offers_of_minors").click()
            s.wait("#visit-narrative").type("ក្មេងស្រីពីរនាក់ នៅជាន់លើ")
            s.wait("#add-followup").click()
            check(s.execute("return document.activeElement.id") == "followup-action-0", "focus goes to the new action")
            s.wait("#followup-action-0").type("Report to AHTJP")
            status = wait_saved(s)
            check(status.startswith("Saved "), f"the draft autosaves: {status!r}")
            scroll_to_grid = "document.activeElement.blur(); document.querySelector('fieldset.counts').scrollIntoView()"
            s.execute(scroll_to_grid)
            shot(s, "visit-en")
            set_lang(s, "km")
            check(KHMER.search(s.wait("#visit-commit").text) is not None, "Save visit is Khmer")
            check(KHMER.search(s.wait("label[for='visit-stratum']").text) is not None, "labels are Khmer")
            s.execute(scroll_to_grid)
            shot(s, "visit-km")
            set_lang(s, "en")
            s.wait("#visit-commit").click()
            s.wait("#screen-visit[data-state='saved']", timeout=15)
            check("16" in s.wait("#visit-saved-total").text, "the saved visit's total is shown")

            # Attachments by path: refused without a path; the SHA-256 is Python's.
            s.wait("#attach").click()
            s.wait("#attach-problem")
            s.wait("#attach-path").type(str(tmp_path / "missing.jpg"))
            s.wait("#attach").click()
            err = s.wait("#error", timeout=15)
            check(err.attr("data-code") == "file_error", f"a missing file: {err.attr('data-code')}")
            set_value(s, "#attach-path", str(photo))
            s.wait("#attach-description").type("Front door, from the street")
            s.wait("#attach").click()
            sha = s.wait("#attached li .sha256", timeout=30).text
            check(sha == want_sha, f"SHA-256 shown {sha!r}, Python says {want_sha!r}")
            check(f"({photo.stat().st_size} B)" in s.wait("#attached li").text, "the size is shown")
            check(not s.find_all("#error"), "the earlier error is gone")
            shot(s, "visit-attached-en")
            s.wait("#visit-open-record").click()
            s.wait("#screen-record[data-kind='visit']")
            wait_text(s, "#screen-record", "SHV/karaoke/evening")
            # The photo is shown blurred until clicked.
            item = "#media li[data-media='photo']"
            s.wait(f"{item} img", timeout=15)
            deadline = time.monotonic() + 10
            while s.execute("return document.querySelector(arguments[0]).naturalWidth", f"{item} img") != 32:
                if time.monotonic() > deadline:
                    raise AssertionError("the photo never decoded")
                time.sleep(0.1)
            blur = lambda: s.execute("return getComputedStyle(document.querySelector(arguments[0])).filter", f"{item} img")  # noqa: E731
            check("blur" in blur(), f"blurred at first: {blur()!r}")
            check(want_sha[:16] in s.wait(item).text, "its SHA-256 is shown")
            s.execute("document.activeElement.blur(); document.getElementById('media').scrollIntoView()")
            shot(s, "record-photo-blurred-en")
            s.wait(f"{item} .reveal").click()
            check(blur() == "none", f"clear once clicked: {blur()!r}")
            s.wait("#record-back").click()
            s.wait("#screen-establishments[data-mode='list']")
            s.wait("#est-list li .est-open").click()
            s.wait("#screen-record[data-kind='establishment']")
            wait_text(s, "#screen-record", "Street 230")
            s.wait("#record-back").click()
            s.wait("#screen-establishments[data-mode='list']")
            s.wait("#est-back").click()
            s.wait("#screen-home")
            check(count_of(s, "visit") == "1", "Home counts one visit")
            check(count_of(s, "attachment") == "1", "Home counts one attachment")
            check(count_of(s, "establishment") == "2", "Home counts two establishments")
            check(not s.find_all("#drafts li"), "the committed draft is gone")

        wait_profile_free(profile)
        visits = rows_of(json_out(profile, "list", "visit"))
        check(len(visits) == 1, f"the CLI lists one visit: {visits}")
        shown = json_out(profile, "show", visits[0]["id"])
        body = shown["body"]
        counts = {(c["age_band"], c["sex"]): c["count"] for c in body["counts"]}
        check(
            counts == {("under_16", "female"): 1, ("age_16_17", "female"): 2, ("adult", "female"): 10, ("adult", "male"): 3},
            f"the counts as typed: {counts}",
        )
        check(body["indicators"] == ["guards", "offers_of_minors"], f"indicators: {body['indicators']}")
        check(body["team"] == ["INV-07", "INV-12"], f"team: {body['team']}")
        check(
            body["sampling"]
            == {"stratum": "SHV/karaoke/evening", "replaced_closed_establishment": True, "replaced_establishment_id": closed_id},
            f"sampling: {body['sampling']}",
        )
        check(body["follow_up"] == [{"action": "Report to AHTJP"}], f"follow-up: {body.get('follow_up')}")
        check(body["age_judged_by"] == ["appearance"] and body["age_confidence"] == "medium", "age judgement")
        attachments = rows_of(json_out(profile, "list", "attachment"))
        check(len(attachments) == 1, f"one attachment: {attachments}")
        meta = json_out(profile, "show", attachments[0]["id"])["body"]
        check(meta["sha256"] == want_sha and meta["record_id"] == visits[0]["id"], f"attachment: {meta}")
        data = b"".join(p.read_bytes() for p in (profile / "attachments").iterdir() if p.is_file())
        check(photo.read_bytes()[:64] not in data, "the stored attachment is not plaintext")


def media_get(url: str, range_: str = "", host: str = "") -> tuple[int, bytes]:
    """A GET to the app's loopback media server, as another program on this machine would
    make it: (status, body)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Range": range_} if range_ else {}
    if host:
        headers["Host"] = host
    try:
        conn.request("GET", parts.path, headers=headers)
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


VIDEO = ROOT / "tests" / "fixtures" / "street-160x120-vp8.webm"
TONE = ROOT / "tests" / "fixtures" / "tone-1s-opus.ogg"


def test_video_still_blurred_until_clicked(s: Session) -> None:
    """A WebM attached to a visit (with the CLI): its record shows a still drawn from the
    video, blurred, without any click; Enter clears it and gives a player with controls that
    has not started; asked to, it plays, read from the store a range at a time. A file that
    cannot be decoded shows a placeholder with its name and a plain sentence, not a broken
    element. A recording loads nothing and plays nothing by itself."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-video-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "field"
        with app(profile) as first:
            set_lang(first, "en")
            create_profile(first)
        wait_profile_free(profile)
        (tmp_path / "place.json").write_text(cli(profile, "example", "establishment"))
        place = cli(profile, "add", "establishment", "--file", str(tmp_path / "place.json")).strip()
        visit_json = cli(profile, "example", "visit").replace("0195f3a0-0000-7000-8000-000000000010", place)
        (tmp_path / "visit.json").write_text(visit_json)
        visit = cli(profile, "add", "visit", "--file", str(tmp_path / "visit.json")).strip()
        video_id = cli(profile, "attach", visit, str(VIDEO), "--description", "ផ្លូវមុខហាង, the street in front").strip()
        damaged = tmp_path / "damaged.webm"
        damaged.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 8)
        damaged_id = cli(profile, "attach", visit, str(damaged)).strip()
        tone_id = cli(profile, "attach", visit, str(TONE), "--description", "សំឡេង test tone").strip()

        with app(profile) as s:
            s.wait("#screen-unlock", timeout=30)
            set_lang(s, "en")
            unlock(s, PASSPHRASE)
            s.wait("#screen-home", timeout=30)
            s.wait(f"#recent-work li[data-id='{visit}'] .open-recent").click()
            s.wait("#screen-record[data-kind='visit']")
            items = s.find_all("#media li[data-media='video']")
            check(len(items) == 2, f"two videos listed: {len(items)}")
            item = f"#media li[data-id='{video_id}']"
            s.wait(f"{item} .still[data-still='drawn']", timeout=30)
            frame = s.execute(
                "const c = document.querySelector(arguments[0]);"
                "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                "const colours = new Set();"
                "for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] >> 5) + ',' + (d[i + 1] >> 5) + ',' + (d[i + 2] >> 5));"
                "return {w: c.width, h: c.height, colours: colours.size,"
                " filter: getComputedStyle(c).filter, videos: document.querySelectorAll('#media video').length}",
                f"{item} canvas",
            )
            check(frame["w"] == 160 and frame["h"] == 120, f"the still has the video's size: {frame}")
            check(frame["colours"] >= 4, f"a real frame was drawn (colour bars), not a blank: {frame}")
            check("blur" in frame["filter"], f"the still is blurred: {frame}")
            check(frame["videos"] == 0, "no player before the click")
            check(VIDEO.name in s.wait(item).text, "the file name is shown")
            broken = f"#media li[data-id='{damaged_id}']"
            note = s.wait(f"{broken} .unplayable", timeout=30).text
            check("damaged.webm" in note and "cannot play" in note, f"a plain placeholder: {note!r}")
            check(not s.find_all(f"{broken} video") and not s.find_all(f"{broken} canvas"), "no broken element")
            s.execute("document.activeElement.blur(); document.getElementById('media').scrollIntoView()")
            shot(s, "record-video-blurred-en")

            # The keyboard reveals it: focus the still, press Enter.
            s.execute("document.querySelector(arguments[0]).focus()", f"{item} .still")
            s.press(ENTER)
            s.wait(f"{item} video.player")
            deadline = time.monotonic() + 20
            while s.execute("return document.querySelector(arguments[0]).readyState", f"{item} video") < 1:
                if time.monotonic() > deadline:
                    raise AssertionError("the player never read the video's metadata")
                time.sleep(0.1)
            player = s.execute(
                "const v = document.querySelector(arguments[0]);"
                "return {paused: v.paused, autoplay: v.autoplay, controls: v.controls, time: v.currentTime,"
                " src: v.currentSrc, filter: getComputedStyle(v).filter, focused: document.activeElement === v,"
                " duration: v.duration}",
                f"{item} video",
            )
            check(player["paused"] and not player["autoplay"] and player["time"] == 0, f"it did not play by itself: {player}")
            check(player["controls"] and player["focused"], f"controls, and the focus on the player: {player}")
            check(player["filter"] == "none", f"clear once clicked: {player}")
            check(player["src"].startswith("http://127.0.0.1:"), f"read from the shell's media server: {player}")
            check(0.9 < player["duration"] < 1.1, f"its length is read from the store: {player}")
            time.sleep(0.5)
            check(s.execute("return document.querySelector(arguments[0]).paused", f"{item} video"), "still paused a moment later")
            src = player["src"]
            check(media_get(src, "bytes=100-199") == (206, VIDEO.read_bytes()[100:200]), "the server reads ranges")
            base, _, _ = src.rpartition("/")
            check(media_get(f"{base[: base.rindex('/')]}/{'0' * 64}/{video_id}")[0] == 404, "no secret, nothing")
            check(media_get(src, host="localhost")[0] == 403, "another Host is refused")
            check(media_get(f"{base}/{damaged_id}x")[0] == 404, "a malformed id is unknown")
            s.execute("document.activeElement.blur(); document.getElementById('media').scrollIntoView()")
            shot(s, "record-video-clear-en")
            # Asked to, it plays to the end from the store.
            s.execute("document.querySelector(arguments[0]).play()", f"{item} video")
            deadline = time.monotonic() + 20
            while not s.execute("return document.querySelector(arguments[0]).ended", f"{item} video"):
                if time.monotonic() > deadline:
                    t = s.execute("return document.querySelector(arguments[0]).currentTime", f"{item} video")
                    raise AssertionError(f"the video did not play to its end (at {t} s)")
                time.sleep(0.1)
            # A recording: a player that has loaded nothing and plays nothing until asked;
            # asked for its metadata, it reads them from the store.
            tone = f"#media li[data-id='{tone_id}'] audio"
            audio = s.execute(
                "const a = document.querySelector(arguments[0]);"
                "return {paused: a.paused, autoplay: a.autoplay, controls: a.controls, preload: a.preload,"
                " ready: a.readyState, src: a.currentSrc || a.src}",
                tone,
            )
            check(audio["paused"] and not audio["autoplay"] and audio["controls"], f"the recording waits: {audio}")
            check(audio["preload"] == "none" and audio["ready"] == 0, f"nothing of it loaded yet: {audio}")
            check(audio["src"].startswith("http://127.0.0.1:"), f"from the shell's media server: {audio}")
            s.execute("const a = document.querySelector(arguments[0]); a.preload = 'metadata'; a.load()", tone)
            deadline = time.monotonic() + 20
            while s.execute("return document.querySelector(arguments[0]).readyState", tone) < 1:
                if time.monotonic() > deadline:
                    raise AssertionError("the recording's metadata never came")
                time.sleep(0.1)
            length = s.execute("return document.querySelector(arguments[0]).duration", tone)
            check(0.9 < length < 1.2, f"its length is read from the store: {length}")
            check(s.execute("return document.querySelector(arguments[0]).paused", tone), "and it still does not play")
            set_lang(s, "km")
            check(KHMER.search(s.wait(f"{broken} .unplayable").text) is not None, "the placeholder is Khmer")
            s.execute("document.activeElement.blur(); document.getElementById('media').scrollIntoView()")
            shot(s, "record-video-km")
            # Locked (the panic key), the server answers nothing, however it is asked.
            s.press(ESCAPE, ESCAPE, pause_ms=100)
            s.wait("#screen-unlock", timeout=5)
            # The address seen before the lock is dead (its secret was this unlock's): 404,
            # whatever is asked, and the answer gives nothing away.
            check(media_get(src)[0] == 404 and media_get(src, "bytes=0-9")[0] == 404, "nothing while locked")


def test_visit_draft_survives_a_kill(s: Session) -> None:
    """Counts typed, 6 s, SIGKILL; start again, resume the visit from Home: counts and
    totals are back."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-visit-kill-") as tmp:
        profile = Path(tmp) / "profile"
        with app(profile) as first:
            set_lang(first, "en")
            create_profile(first)
            first.wait("#open-establishments").click()
            add_establishment(first, "Lucky Beer Garden")
            first.wait("#est-list li .est-visit").click()
            first.wait("#screen-visit[data-state='draft']")
            first.wait("#visit-team").type("INV-03")
            type_count(first, "under_16", "female", "2")
            type_count(first, "adult", "female", "7")
            time.sleep(6)  # no blur, no Save: only the timed autosave can have saved it
            pid = first.driver.kill_app(ARGS.app)
            print(f"    SIGKILLed fieldcase-desktop pid {pid}")
        with app(profile) as again:
            again.wait("#screen-unlock", timeout=30)
            unlock(again, PASSPHRASE)
            again.wait("#screen-home", timeout=30)
            draft = again.wait("#drafts li")
            wait_text(again, "#drafts li", "Lucky Beer Garden")
            check("Visit" in draft.text, f"Home lists the visit draft: {draft.text!r}")
            again.wait("#drafts li .resume").click()
            again.wait("#screen-visit[data-state='draft']")
            wait_text(again, "#visit-title", "Lucky Beer Garden")
            check(again.wait("#count-adult-female").prop("value") == "7", "the count survived the kill")
            check(again.wait("#visit-team").prop("value") == "INV-03", "the team survived the kill")
            check(again.wait("#total-grand").text == "9", "totals are back")


def test_establishment_list_pages(s: Session) -> None:
    """26 establishments (added with the CLI): the list shows 25, Show more brings the 26th
    and then goes away."""
    del s
    import json

    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-pages-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "profile"
        with app(profile) as first:
            set_lang(first, "en")
            create_profile(first)
        example = json.loads(cli(profile, "example", "establishment"))
        wait_profile_free(profile)
        for i in range(26):
            example["name"] = f"Place {i:02d}"
            (tmp_path / "e.json").write_text(json.dumps(example))
            cli(profile, "add", "establishment", "--file", str(tmp_path / "e.json"))
        with app(profile) as again:
            again.wait("#screen-unlock", timeout=30)
            set_lang(again, "en")
            unlock(again, PASSPHRASE)
            again.wait("#screen-home", timeout=30)
            again.wait("#open-establishments").click()
            again.wait("#est-more")
            rows = again.find_all("#est-list li")
            check(len(rows) == 25, f"a first page of 25: {len(rows)}")
            check("Karaoke bar · Sihanoukville" in rows[0].text, f"type and city shown: {rows[0].text!r}")
            check(rows[0].text.startswith("Place 25"), f"most recent first: {rows[0].text!r}")
            again.wait("#est-more").click()
            wait_text(again, "#est-list", "Place 00")
            check(len(again.find_all("#est-list li")) == 26, "the second page adds the last one")
            check(not again.find_all("#est-more"), "no more to show")


def test_auto_lock_time_is_a_setting(s: Session) -> None:
    """Settings chooses how long without use before the profile locks itself; Home says it,
    and the open profile locks after that long."""
    set_lang(s, "en")
    create_profile(s)
    s.wait("#screen-home", timeout=30)
    check("after 5 min " in s.wait("#screen-home").text, "five minutes by default")
    s.wait("#open-settings").click()
    choose_option(s, "#autolock", "1")
    s.wait("#settings-back").click()
    check("after 1 min " in s.wait("#screen-home").text, "Home says the new time")
    t0 = time.monotonic()
    s.wait("#screen-unlock", timeout=90)
    waited = time.monotonic() - t0
    print(f"    locked by itself after {waited:.0f} s")
    check(50 < waited < 75, f"after about a minute: {waited:.0f} s")


def test_language_in_settings_is_remembered(s: Session) -> None:
    """Settings switches to Khmer (the top bar's switch follows), and after a restart the
    window is still in Khmer, before the profile is unlocked."""
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-lang-") as tmp:
        profile, state = Path(tmp) / "profile", Path(tmp) / "state"
        with app(profile, state) as first:
            set_lang(first, "en")
            create_profile(first)
            first.wait("#open-settings").click()
            check(first.wait("#settings-lang").prop("value") == "en", "Settings shows English")
            # The top bar's switch moves Settings' choice...
            set_lang(first, "km")
            check(first.wait("#settings-lang").prop("value") == "km", "Settings follows the top bar")
            set_lang(first, "en")
            check(first.wait("#settings-title").text == "Settings", "Settings' title is English again")
            # ...and Settings' choice moves the page and the top bar.
            choose_option(first, "#settings-lang", "km")
            check(first.execute("return document.documentElement.lang") == "km", "the page is Khmer")
            check(KHMER.search(first.wait("#settings-title").text) is not None, "Settings' title is Khmer")
            check(KHMER.search(first.wait("#language-title").text) is not None, "the language heading is Khmer")
            check(first.wait("#lang").prop("value") == "km", "the top bar's switch follows")
            first.execute("document.getElementById('settings-lang').scrollIntoView({block: 'center'})")
            shot(first, "settings-language-km")
            # WebKit writes localStorage to disk shortly after a change; ending the session
            # kills the app, more abruptly than a user closing the window.
            time.sleep(2)
        with app(profile, state) as again:
            title = again.wait("#unlock-title", timeout=30).text
            check(KHMER.search(title) is not None, f"still Khmer after a restart: {title!r}")
            check(again.wait("#lang").prop("value") == "km", "the switch says Khmer")
            unlock(again, PASSPHRASE)
            again.wait("#screen-home", timeout=30)
            again.wait("#open-settings").click()
            check(again.wait("#settings-lang").prop("value") == "km", "Settings says Khmer")


def x11(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), env=dict(os.environ, DISPLAY=DISPLAY), capture_output=True, text=True, timeout=20)


def close_dialog(window: str) -> None:
    """Escape on a GTK dialog under bare Xvfb (no window manager): the pointer and focus on
    it, then a real (XTEST) key press, which GTK takes, unlike a sent event."""
    # Without a window manager X's focus follows the pointer: move it onto the dialog.
    x11("xdotool", "mousemove", "--window", window, "200", "20")
    x11("xdotool", "windowfocus", window)
    x11("xdotool", "key", "Escape")


def test_file_picker_opens(s: Session) -> None:
    """Export's "Choose…" opens the native save dialog (seen on the X display, since WebDriver
    sees only the page); Escape closes it and the typed path stays as it was."""
    import shutil

    set_lang(s, "en")
    create_profile(s)
    s.wait("#open-export").click()
    s.wait("#screen-export")
    before = s.wait("#export-path").prop("value")
    check(before.endswith(".fcb"), f"a suggested path: {before!r}")
    s.wait("#export-choose").click()
    if not shutil.which("xdotool"):
        print("    xdotool not installed: the dialog was asked for, not looked at")
        return
    title = "Where to save the bundle"
    deadline = time.monotonic() + 15
    while not (found := x11("xdotool", "search", "--onlyvisible", "--name", title).stdout.split()):
        if time.monotonic() > deadline:
            raise AssertionError("no dialog window appeared")
        time.sleep(0.2)
    time.sleep(1)  # let GTK draw it
    if ARGS.screenshots and shutil.which("import"):
        out = Path(ARGS.screenshots) / "file-picker-export.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        x11("import", "-window", "root", "-resize", "960x600", str(out))
        print(f"    the whole display with the dialog: {out}")
    close_dialog(found[0])
    deadline = time.monotonic() + 10
    while x11("xdotool", "search", "--onlyvisible", "--name", title).stdout.split():
        if time.monotonic() > deadline:
            raise AssertionError("Escape did not close the dialog")
        time.sleep(0.2)
    check(s.wait("#export-path").prop("value") == before, "cancelling leaves the typed path alone")
    check(not s.find_all("#picker-failed"), "no picker failure shown")
    # The window answers again once the dialog is gone.
    s.wait("#export-choose").click()
    deadline = time.monotonic() + 15
    while not (found := x11("xdotool", "search", "--onlyvisible", "--name", title).stdout.split()):
        if time.monotonic() > deadline:
            raise AssertionError("the dialog did not open a second time")
        time.sleep(0.2)
    close_dialog(found[0])


def test_passphrase_change_needs_the_current_one(s: Session) -> None:
    """Settings changes the passphrase only with the current one; afterwards the old one is
    refused and the new one unlocks."""
    set_lang(s, "en")
    create_profile(s)
    s.wait("#open-settings").click()
    new = "ស្លាបព្រា spoon harbour 77"
    s.wait("#pw-current").type("not the passphrase at all")
    s.wait("#pw-new").type(new)
    s.wait("#pw-again").type(new)
    s.wait("#pw-change").click()
    err = s.wait("#passphrase-form #error", timeout=30)
    check(err.attr("data-code") == "wrong_passphrase", f"a wrong current one is refused: {err.attr('data-code')}")
    set_value(s, "#pw-current", PASSPHRASE)
    set_value(s, "#pw-again", "short")
    s.wait("#pw-change").click()
    check("not the same" in s.wait("#pw-problem").text, "the two new ones must match")
    set_value(s, "#pw-again", new)
    s.wait("#pw-change").click()
    s.wait("#pw-done", timeout=30)
    check(s.wait("#pw-current").prop("value") == "", "nothing typed stays on screen")
    s.wait("#hide-lock").click()
    s.wait("#screen-unlock")
    unlock(s, PASSPHRASE)
    err = s.wait("#error", timeout=30)
    check(err.attr("data-code") == "wrong_passphrase", "the old passphrase no longer opens it")
    unlock(s, new)
    s.wait("#screen-home", timeout=30)


def find_and_link(s: Session, kind: str, query: str, label: str) -> None:
    """Cases form: find records of `kind` (the most recent if `query` is empty), link `label`."""
    choose_option(s, "#case-find-kind", kind)
    s.wait("#case-find-query").clear()
    if query:
        s.wait("#case-find-query").type(query)
    s.wait("#case-find").click()
    deadline = time.monotonic() + 10
    while True:
        rows = [r for r in s.find_all("#case-found li") if label in r.text]
        if rows:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{label!r} not offered to link as a {kind}")
        time.sleep(0.1)
    s.execute(
        "for (const li of document.querySelectorAll('#case-found li'))"
        "  if (li.textContent.includes(arguments[0])) { li.querySelector('.case-link').click(); return }",
        label,
    )
    wait_text(s, f"#case-links ul[data-kind='{kind}']", label)


def test_case_links_records(s: Session) -> None:
    """Cases: a new case refused for a code with a space (said at the field), then saved with a
    Khmer title, a person, an interview and an establishment linked and an arrest; opened again,
    the links are named; unlinking one and saving keeps the others."""
    set_lang(s, "en")
    create_profile(s)
    start_interview(s, "Sreymom-07")
    give_consent(s)
    to_account(s)
    s.wait("#narrative").type(NARRATIVE_KM)
    s.wait("#end").click()
    s.wait("#screen-home", timeout=15)
    s.wait("#open-establishments").click()
    s.wait("#screen-establishments")
    add_establishment(s, "Golden Star Karaoke")
    s.wait("#est-back").click()
    # Home's recent work: newest first, every kind.
    recent = wait_text(s, "#recent-work", "Golden Star Karaoke")
    check(s.find_all("#recent-work li")[0].attr("data-kind") == "establishment", f"newest first: {recent!r}")
    check("Sreymom-07" in recent, f"the person is there too: {recent!r}")

    s.wait("#open-cases").click()
    s.wait("#screen-cases[data-mode='list']")
    s.wait("#cases-none")
    s.wait("#cases-add").click()
    s.wait("#screen-cases[data-mode='form']")
    check(s.execute("return document.activeElement.id") == "case-code", "the code field has focus")
    s.wait("#case-code").type("PP 2026")
    s.wait("#case-title").type("ការជួញដូរនៅខេត្តព្រះសីហនុ")
    s.wait("#case-save").click()
    problem = s.wait("#case-code-problem").text
    check("spaces" in problem, f"a code with a space is refused at the code: {problem!r}")
    set_value(s, "#case-code", "PP-2026-0142")

    find_and_link(s, "person", "", "Sreymom-07")
    find_and_link(s, "interview", "", "Interview ·")
    find_and_link(s, "establishment", "Golden", "Golden Star Karaoke")
    s.wait("#case-add-arrests").click()
    set_value(s, "#case-arrests-0-count", "2")
    shot(s, "case-form")
    s.wait("#case-save").click()
    s.wait("#screen-cases[data-mode='list']")
    row = wait_text(s, "#cases-list", "PP-2026-0142")
    check("ការជួញដូរ" in row, f"the Khmer title is listed: {row!r}")

    s.wait("#cases-list .case-edit").click()
    s.wait("#screen-cases[data-mode='form']")
    for kind, label in (("person", "Sreymom-07"), ("interview", "Interview ·"), ("establishment", "Golden Star")):
        wait_text(s, f"#case-links ul[data-kind='{kind}']", label)
    check(s.wait("#case-arrests-0-count").prop("value") == "2", "the arrest count was kept")
    s.wait("#case-links ul[data-kind='establishment'] .case-unlink").click()
    s.wait_gone("#case-links ul[data-kind='establishment']")
    s.wait("#case-save").click()
    s.wait("#cases-notice")
    s.wait("#cases-list .case-edit").click()
    s.wait("#screen-cases[data-mode='form']")
    wait_text(s, "#case-links ul[data-kind='person']", "Sreymom-07")
    check(not s.find_all("#case-links ul[data-kind='establishment']"), "the unlinked establishment stays unlinked")
    s.wait("#case-cancel").click()
    s.wait("#screen-cases[data-mode='list']")

    # The case's page: the timeline, and the printable summary (identities withheld, then not).
    s.wait("#cases-list .case-view").click()
    s.wait("#screen-cases[data-mode='view']")
    check(s.execute("return document.activeElement.id") == "cases-title", "the heading has the focus")
    entries = s.find_all("#case-timeline li")
    check([e.attr("data-kind") for e in entries] == ["interview", "person"] or len(entries) == 2,
          f"two linked records: {[e.text for e in entries]}")
    check(s.wait("#case-arrested").text == "2", "two people arrested")
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-summary-") as out:
        plain = Path(out) / "summary.pdf"
        full = Path(out) / "summary-identities.pdf"
        set_value(s, "#summary-path", str(plain))
        s.wait("#summary-write").click()
        written = s.wait("#summary-written", timeout=60)
        check(written.attr("data-identities") == "false", f"identities withheld: {written.text!r}")
        check(plain.read_bytes().startswith(b"%PDF"), "a PDF is written")
        shot(s, "case-view-en")
        s.wait("#summary-write").click()
        err = s.wait("#screen-cases [data-code]", timeout=30)
        check(err.attr("data-code") == "file_exists", f"an existing file is refused: {err.attr('data-code')}")
        set_value(s, "#summary-path", str(full))
        s.wait("#summary-identities").click()
        s.wait("#summary-write").click()
        deadline = time.monotonic() + 60
        while s.wait("#summary-written").attr("data-identities") != "true":
            if time.monotonic() > deadline:
                raise AssertionError("no summary with identities")
            time.sleep(0.1)
        check(not s.wait("#summary-identities").prop("checked"), "the identities tick clears after the file")
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(plain), "-"], capture_output=True, text=True).stdout
            check("PP-2026-0142" in text and "Sreymom-07" in text, f"the summary names the case and the person: {text[:200]!r}")
    # A linked record's page lists the case.
    s.execute(
        "for (const li of document.querySelectorAll('#case-timeline li'))"
        "  if (li.dataset.kind === 'person') { li.querySelector('.timeline-open').click(); return }"
    )
    wait_text(s, "#record-cases", "PP-2026-0142")
    s.wait("#record-back").click()
    s.wait("#screen-cases[data-mode='list']")
    s.wait("#cases-back").click()
    check(s.wait("#recent-work li").attr("data-kind") == "case", "the case is the newest work on Home")
    s.wait("#recent-work li .open-recent").click()
    wait_text(s, "#screen-record", "PP-2026-0142")
    shot(s, "case-history-en")


@contextmanager
def private_system_bus():
    """A D-Bus daemon of the test's own, handed to the app as its system bus: the test can
    then send what logind would send, without touching the machine's own bus."""
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-dbus-") as tmp:
        config = Path(tmp) / "bus.conf"
        config.write_text(
            "<!DOCTYPE busconfig PUBLIC '-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN'"
            " 'http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd'>"
            f"<busconfig><type>session</type><listen>unix:dir={tmp}</listen>"
            "<policy context='default'><allow send_destination='*' eavesdrop='true'/>"
            "<allow eavesdrop='true'/><allow own='*'/></policy></busconfig>"
        )
        daemon = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            address = (daemon.stdout.readline() if daemon.stdout else "").strip()
            check(address.startswith("unix:"), f"the test bus started: {address!r}")
            yield address
        finally:
            daemon.terminate()
            daemon.wait(timeout=10)


def emit_prepare_for_sleep(address: str, going: bool) -> None:
    """What logind sends before a suspend (true) and after the wake-up (false)."""
    subprocess.run(
        [
            "dbus-send", f"--bus={address}", "--type=signal",
            "/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep",
            f"boolean:{'true' if going else 'false'}",
        ],
        check=True,
        timeout=30,
    )


def test_sleep_locks_and_frees_the_profile(s: Session) -> None:
    """logind's PrepareForSleep on the system bus locks the open profile, with the draft
    typed so far saved, and frees it within a second or two (the CLI can open it)."""
    del s
    with tempfile.TemporaryDirectory(prefix="fieldcase-e2e-profile-") as tmp, private_system_bus() as bus:
        profile = Path(tmp) / "profile"
        with app(profile, extra_env={"DBUS_SYSTEM_BUS_ADDRESS": bus}) as s:
            set_lang(s, "en")
            create_profile(s)
            start_interview(s, "Bopha-5")
            give_consent(s)
            to_account(s)
            s.wait("#narrative").type("មុនពេលដេក")
            t0 = time.monotonic()
            emit_prepare_for_sleep(bus, True)
            s.wait("#screen-unlock", timeout=5)
            print(f"    sleep signal to unlock screen: {(time.monotonic() - t0) * 1000:.0f} ms")
            check(not s.find_all("#narrative"), "the interview is gone from the screen")
            freed = None
            while time.monotonic() - t0 < 5:
                try:
                    cli(profile, "list", "person")
                    freed = time.monotonic() - t0
                    break
                except AssertionError:
                    time.sleep(0.1)
            check(freed is not None, "the profile is free after the sleep signal")
            print(f"    profile free after {freed:.1f} s")
            emit_prepare_for_sleep(bus, False)  # waking up locks nothing more, breaks nothing
            unlock(s, PASSPHRASE)
            s.wait("#screen-home", timeout=30)
            s.wait("#drafts li .resume").click()
            step_is(s, "account")
            check("មុនពេលដេក" in s.wait("#narrative").prop("value"), "typing before the sleep was saved")


def test_a_reload_after_the_panic_key_shows_the_unlock_screen(s: Session) -> None:
    """The panic key, then at once a reload of the page (the shell, not the page, knows the
    profile is locked): the unlock screen, and the draft typed before it is kept."""
    set_lang(s, "en")
    create_profile(s)
    start_interview(s, "Chanthou-8")
    give_consent(s)
    to_account(s)
    s.wait("#narrative").type("ពាក្យចុងក្រោយ")
    s.press(ESCAPE, ESCAPE, pause_ms=100)
    s.cmd("POST", "/refresh", {})  # WebDriver's reload of the page
    s.wait("#screen-unlock", timeout=10)
    check(not s.find_all("#screen-home"), "a reload does not reopen the profile")
    unlock(s, PASSPHRASE)
    s.wait("#screen-home", timeout=30)
    s.wait("#drafts li .resume").click()
    step_is(s, "account")
    check("ពាក្យចុងក្រោយ" in s.wait("#narrative").prop("value"), "typing before the panic key was saved")


def focused(s: Session) -> str:
    return s.execute("return document.activeElement && document.activeElement.id") or ""


def test_guarded_steps_ask_for_the_passphrase_again(s: Session) -> None:
    """Adding an office key asks for the passphrase again: Escape cancels (nothing added, the
    focus back where it was), a wrong one is refused in the dialog, the right one goes
    through. Keys only, English and Khmer."""
    set_lang(s, "en")
    create_profile(s)
    s.wait("#open-settings").click()
    s.wait("#new-recipient").type(SOME_OFFICE)
    s.press(ENTER)  # submits the form from its field
    s.wait("#reauth-passphrase")
    check(focused(s) == "reauth-passphrase", "the dialog takes the focus")
    shot(s, "reauth-en")
    s.press(ESCAPE)
    s.wait_gone("#reauth[open]")
    time.sleep(0.2)
    check(focused(s) == "new-recipient", f"the focus goes back where it was: {focused(s)!r}")
    s.wait("#no-recipients")
    check(not s.find_all("#notice"), "cancelled: nothing was added")
    s.press(ENTER)
    s.wait("#reauth-passphrase").type("not the passphrase")
    s.press(ENTER)
    s.wait("#reauth-wrong", timeout=30)
    check(s.find_all("#reauth[open]") != [], "a wrong passphrase keeps the dialog open")
    check(s.wait("#reauth-passphrase").prop("value") == "", "and empties the field")
    check(focused(s) == "reauth-passphrase", f"the focus stays in the dialog: {focused(s)!r}")
    reauth(s)
    s.wait("#notice")
    check(SOME_OFFICE in s.wait("#recipients").text, "the office key is added")
    time.sleep(0.2)
    check(focused(s) == "new-recipient", f"the focus is back after the dialog: {focused(s)!r}")
    set_lang(s, "km")
    made = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True)
    key = made.stderr.strip().split()[-1]
    set_value(s, "#new-recipient", key)
    s.wait("#new-recipient").click()
    s.press(ENTER)
    s.wait("#reauth-passphrase")
    check(KHMER.search(s.wait("#reauth").text) is not None, "the dialog speaks Khmer")
    shot(s, "reauth-km")
    reauth(s)
    wait_text(s, "#recipients", key)


CONTROL = "\ue009"


def selection(name: str) -> str:
    """What the X selection `name` (clipboard, primary) holds, as another program sees it."""
    done = subprocess.run(
        ["xclip", "-o", "-selection", name],
        env=dict(os.environ, DISPLAY=DISPLAY),
        capture_output=True,
        text=True,
        timeout=10,
    )
    return done.stdout if done.returncode == 0 else ""


def test_copied_text_leaves_the_clipboard_at_lock(s: Session) -> None:
    """Text copied from the window (Ctrl+C) and selected in it (X11's PRIMARY) is readable by
    other programs until the profile locks, and gone after the panic key."""
    set_lang(s, "en")
    create_profile(s)
    start_interview(s, "Sokha-4")
    give_consent(s)
    to_account(s)
    words = f"ខ្ញុំបានចម្លង {os.getpid()}"
    s.wait("#narrative").type(words)
    s.cmd("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": [
        {"type": "keyDown", "value": CONTROL}, {"type": "keyDown", "value": "a"},
        {"type": "keyUp", "value": "a"}, {"type": "keyDown", "value": "c"},
        {"type": "keyUp", "value": "c"}, {"type": "keyUp", "value": CONTROL},
    ]}]})
    s.cmd("DELETE", "/actions")
    deadline = time.monotonic() + 5
    while words not in selection("clipboard") and time.monotonic() < deadline:
        time.sleep(0.1)
    check(words in selection("clipboard"), f"the copy reached the clipboard: {selection('clipboard')!r}")
    s.press(ESCAPE, ESCAPE, pause_ms=100)
    s.wait("#screen-unlock", timeout=2)
    deadline = time.monotonic() + 2
    while words in selection("clipboard") + selection("primary") and time.monotonic() < deadline:
        time.sleep(0.05)
    check(words not in selection("clipboard"), "the clipboard no longer holds the text")
    check(words not in selection("primary"), "nor does the primary selection")


TESTS = [
    test_first_run_panic_unlock,
    test_hide_button_lock_button_and_khmer,
    test_first_run_khmer,
    test_auto_lock_time_is_a_setting,
    test_language_in_settings_is_remembered,
    test_file_picker_opens,
    test_passphrase_change_needs_the_current_one,
    test_unpermitted_commands_are_refused,
    test_isolation_frame_checks_every_message,
    test_cold_start_to_unlock_screen,
    test_interview_flow,
    test_autosave_survives_a_kill,
    test_minor_needs_guardian_and_panic_saves,
    test_bundle_from_field_to_office,
    test_large_export_shows_progress_and_the_panic_key_works,
    test_office_conflicts_and_devices,
    test_office_reports,
    test_search_history_and_identity_reveal,
    test_establishment_and_visit_with_attachment,
    test_video_still_blurred_until_clicked,
    test_visit_draft_survives_a_kill,
    test_establishment_list_pages,
    test_case_links_records,
    test_sleep_locks_and_frees_the_profile,
    test_a_reload_after_the_panic_key_shows_the_unlock_screen,
    test_copied_text_leaves_the_clipboard_at_lock,
    test_guarded_steps_ask_for_the_passphrase_again,
]


def main() -> int:
    global ARGS, DISPLAY
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--app", default=os.environ.get("FIELDCASE_APP"), help="the built fieldcase-desktop binary")
    p.add_argument(
        "--screenshots",
        default=str(LOG_DIR / "screenshots"),
        help="where to save the screenshots (default: a temp folder; docs/screenshots to refresh the docs)",
    )
    p.add_argument("-k", dest="only", default="", help="run only tests whose name contains this")
    ARGS = p.parse_args()
    if not ARGS.app or not os.access(ARGS.app, os.X_OK):
        print(f"no app binary at {ARGS.app!r}: build it (scripts/desktop.sh build) or pass --app", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    with Xvfb() as xvfb:
        DISPLAY = xvfb.display
        for test in TESTS:
            if ARGS.only not in test.__name__:
                continue
            t0 = time.monotonic()
            try:
                if test in (
                    test_cold_start_to_unlock_screen,
                    test_language_in_settings_is_remembered,
                    test_autosave_survives_a_kill,
                    test_bundle_from_field_to_office,
                    test_large_export_shows_progress_and_the_panic_key_works,
                    test_office_conflicts_and_devices,
                    test_office_reports,
                    test_search_history_and_identity_reveal,
                    test_establishment_and_visit_with_attachment,
                    test_video_still_blurred_until_clicked,
                    test_visit_draft_survives_a_kill,
                    test_establishment_list_pages,
                    test_sleep_locks_and_frees_the_profile,
                ):
                    test(None)  # it opens its own sessions
                else:
                    with app() as s:
                        try:
                            test(s)
                        except Exception:
                            try:
                                s.screenshot(LOG_DIR / f"{test.__name__}.png")
                            except (OSError, WebDriverError):
                                pass
                            raise
                passed += 1
                print(f"PASS {test.__name__} ({time.monotonic() - t0:.1f}s)")
            except Exception:
                failed += 1
                print(f"FAIL {test.__name__} ({time.monotonic() - t0:.1f}s)")
                traceback.print_exc()
                print(f"    logs and failure screenshots: {LOG_DIR}")
            sys.stdout.flush()
    if ARGS.screenshots:
        print(f"screenshots: {ARGS.screenshots}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
