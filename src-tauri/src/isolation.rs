//! Tauri's isolation pattern: every IPC message the window sends first passes through a
//! sandboxed frame (ui/isolation) whose hook lets through only the app's commands with their
//! arguments' names and types, and which then encrypts the arguments for the shell (AES-GCM,
//! a key made at each start). A script that got into the page cannot hand the shell a
//! message shaped otherwise through that frame. What this does not cover is in
//! docs/threat-model.md ("The isolation frame").
//!
//! Tauri serves the frame on a scheme of its own, `isolation-<uuid>` with a new uuid at each
//! build, so the CSP in tauri.conf.json cannot name it: it says `frame-src 'none'`, and
//! [`allow_frame`] puts the frame's origin there, alone, when the app starts.

use tauri::ipc::{Invoke, InvokeBody};
use tauri::utils::config::Csp;

/// The key under which the isolation hook puts the command's name into the arguments it
/// checked (ui/isolation/hook.js). Tauri encrypts the arguments, not the name.
const CHECKED: &str = "__isolationChecked";

/// Whether a message for `command` carries the isolation hook's mark for that command.
/// Tauri passes a message with an empty body on without decrypting anything (it arrives as
/// `{}` or as empty bytes), and never encrypts the command's name: a script in the page can
/// send those without the frame. Only the frame can put the mark inside the encrypted part.
fn checked_by_frame(command: &str, body: &InvokeBody) -> bool {
    match body {
        InvokeBody::Json(args) => args.get(CHECKED).and_then(|v| v.as_str()) == Some(command),
        InvokeBody::Raw(_) => false,
    }
}

/// The app's command handler, running only the messages the isolation frame checked for
/// that command; any other is refused before a command sees it. (The plugins' commands, the
/// file dialogs, do not pass through here: the frame's check is all they get.)
pub fn through_frame<R, F>(commands: F) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static
where
    R: tauri::Runtime,
    F: Fn(Invoke<R>) -> bool + Send + Sync + 'static,
{
    move |invoke| {
        if checked_by_frame(invoke.message.command(), invoke.message.payload()) {
            return commands(invoke);
        }
        let refusal = format!(
            "refused: {} did not come through the isolation frame",
            invoke.message.command()
        );
        invoke.resolver.reject(refusal);
        true
    }
}

/// The isolation frame's origin, as Tauri serves it on this system (its `protocol::origin`:
/// a scheme of its own on Linux and macOS, a `localhost` subdomain on Windows).
pub fn frame_origin(schema: &str) -> String {
    if cfg!(windows) {
        format!("http://{schema}.localhost")
    } else {
        format!("{schema}://localhost")
    }
}

/// `csp` with its frame-src allowing `origin` and nothing else.
pub fn with_frame_src(csp: &str, origin: &str) -> String {
    let mut directives: Vec<String> = csp
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty() && d.split_whitespace().next() != Some("frame-src"))
        .map(str::to_owned)
        .collect();
    directives.push(format!("frame-src {origin}"));
    directives.join("; ")
}

/// Lets the window's CSP load the isolation frame (and no other frame). Without the
/// isolation pattern the CSP is left as configured.
pub fn allow_frame<R: tauri::Runtime>(context: &mut tauri::Context<R>) {
    let schema = match context.pattern() {
        tauri::Pattern::Isolation { schema, .. } => schema.clone(),
        _ => return,
    };
    let security = &mut context.config_mut().app.security;
    if let Some(csp) = security.csp.take() {
        let csp = with_frame_src(&csp.to_string(), &frame_origin(&schema));
        security.csp = Some(Csp::Policy(csp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    const COMMANDS_JS: &str = include_str!("../../ui/isolation/commands.js");
    const BUILD_RS: &str = include_str!("../build.rs");
    const CAPABILITY: &str = include_str!("../capabilities/main.json");
    const CONFIG: &str = include_str!("../tauri.conf.json");

    type Shapes = BTreeMap<String, BTreeMap<String, String>>;

    /// The isolation page's table (the JSON between the two markers in commands.js).
    fn table() -> (Shapes, Shapes) {
        let parts: Vec<&str> = COMMANDS_JS.split("/* json */").collect();
        assert_eq!(
            parts.len(),
            3,
            "commands.js has its table between two /* json */ markers"
        );
        let table: Value = serde_json::from_str(parts[1]).unwrap();
        let shapes =
            |part: &str| -> Shapes { serde_json::from_value(table[part].clone()).unwrap() };
        (shapes("app"), shapes("plugins"))
    }

    /// Tauri's name for an argument in JS (`device_name` arrives as `deviceName`).
    fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The JS type the hook checks for a Rust argument type.
    fn js_type(ty: &str) -> String {
        if let Some(inner) = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')) {
            return format!("{}?", js_type(inner));
        }
        if ty.starts_with("Channel<") || ty.starts_with("tauri::ipc::Channel<") {
            return "channel".into();
        }
        match ty {
            "String" => "string",
            "Uuid" | "uuid::Uuid" => "uuid",
            "bool" => "boolean",
            "u32" => "uint",
            "Vec<String>" => "string[]",
            // Enums serialised as their snake_case names.
            "RecordKind" | "Role" | "ConsentPart" => "string",
            // A record body, and the tagged or optional-field requests.
            "Value" | "serde_json::Value" | "ResolveRequest" | "ReportOptions" | "PartnerCsv" => {
                "object"
            }
            other => panic!(
                "a command takes a {other}: say here which JS type the isolation hook checks for it \
                 (and use that in ui/isolation/commands.js)"
            ),
        }
        .into()
    }

    /// What Tauri passes to a command itself, not from the page.
    fn injected(ty: &str) -> bool {
        [
            "State<",
            "tauri::State<",
            "AppHandle",
            "tauri::AppHandle",
            "Window",
            "tauri::Window",
        ]
        .iter()
        .any(|p| ty.starts_with(p))
    }

    /// Splits `text` at the commas outside any <> or ().
    fn top_level_split(text: &str) -> Vec<String> {
        let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
        for c in text.chars() {
            match c {
                '<' | '(' => depth += 1,
                '>' | ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        parts.push(current);
        parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
    }

    /// The command attribute on a line of its own, written so that this file holds none.
    const ATTRIBUTE: &str = concat!("\n#[tauri::", "command]\n");

    /// The name and JS-side arguments of each command fn in `source`.
    fn commands_in(source: &str) -> Shapes {
        let mut out = Shapes::new();
        for after in source.split(ATTRIBUTE).skip(1) {
            let fn_at = after.find("fn ").unwrap();
            let rest = &after[fn_at + 3..];
            let open = rest.find('(').unwrap();
            let name = rest[..open].trim().to_owned();
            let (mut depth, mut close) = (0, 0);
            for (i, c) in rest[open..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            let mut args = BTreeMap::new();
            for param in top_level_split(&rest[open + 1..close]) {
                let (arg, ty) = param.split_once(':').unwrap();
                let ty: String = ty.split_whitespace().collect();
                if !injected(&ty) {
                    args.insert(camel(arg.trim().trim_start_matches("mut ")), js_type(&ty));
                }
            }
            out.insert(name, args);
        }
        out
    }

    fn rust_commands() -> Shapes {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut all = Shapes::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                all.extend(commands_in(&std::fs::read_to_string(&path).unwrap()));
            }
        }
        all
    }

    /// The names in build.rs's `.commands(&[...])`.
    fn build_rs_commands() -> BTreeSet<String> {
        let start = BUILD_RS.find(".commands(&[").unwrap();
        let end = start + BUILD_RS[start..].find("])").unwrap();
        BUILD_RS[start..end]
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|l| !l.starts_with("//") && !l.is_empty())
            .map(|l| l.trim_end_matches(',').trim_matches('"').to_owned())
            .collect()
    }

    /// The capability's grants as command names: `allow-app-status` is `app_status`,
    /// `dialog:allow-open` is `plugin:dialog|open`.
    fn granted() -> (BTreeSet<String>, BTreeSet<String>) {
        let cap: Value = serde_json::from_str(CAPABILITY).unwrap();
        let (mut app, mut plugins) = (BTreeSet::new(), BTreeSet::new());
        for p in cap["permissions"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            match p.split_once(':') {
                Some((plugin, perm)) => {
                    plugins.insert(format!(
                        "plugin:{plugin}|{}",
                        perm.strip_prefix("allow-").unwrap()
                    ));
                }
                None => {
                    app.insert(p.strip_prefix("allow-").unwrap().replace('-', "_"));
                }
            }
        }
        (app, plugins)
    }

    #[test]
    fn the_isolation_table_is_the_rust_commands_with_their_arguments() {
        let (app, _) = table();
        let rust = rust_commands();
        assert!(rust.len() > 40, "found the commands: {:?}", rust.keys());
        for (name, args) in &rust {
            assert_eq!(
                app.get(name),
                Some(args),
                "ui/isolation/commands.js for {name}"
            );
        }
        let listed: BTreeSet<String> = app.keys().cloned().collect();
        assert_eq!(listed, rust.keys().cloned().collect());
    }

    #[test]
    fn the_isolation_table_is_what_build_rs_lists_and_the_capability_grants() {
        let (app, plugins) = table();
        let listed: BTreeSet<String> = app.keys().cloned().collect();
        assert_eq!(listed, build_rs_commands());
        let (granted_app, granted_plugins) = granted();
        assert_eq!(listed, granted_app);
        assert_eq!(
            plugins.keys().cloned().collect::<BTreeSet<_>>(),
            granted_plugins
        );
    }

    #[test]
    fn the_signature_reader_sees_names_types_and_what_tauri_injects() {
        let found = commands_in(concat!(
            "\n#[tauri::",
            "command]\npub async fn export_bundle(\n    app: AppHandle,\n    \
             session: State<'_, SessionState>,\n    path: String,\n    on_progress: Channel<Progress>,\n    \
             after: Option<Uuid>,\n) -> Result<X, ApiError> {\n    let x = (1, 2);\n}"
        ));
        let args: BTreeMap<String, String> = [
            ("path", "string"),
            ("onProgress", "channel"),
            ("after", "uuid?"),
        ]
        .iter()
        .map(|(a, t)| (a.to_string(), t.to_string()))
        .collect();
        assert_eq!(found.get("export_bundle"), Some(&args));
    }

    #[test]
    fn only_arguments_marked_for_the_command_itself_run_it() {
        let json = |v: Value| InvokeBody::Json(v);
        assert!(checked_by_frame(
            "lock",
            &json(serde_json::json!({CHECKED: "lock"}))
        ));
        assert!(checked_by_frame(
            "add_person",
            &json(serde_json::json!({"pseudonym": "សុខា", CHECKED: "add_person"}))
        ));
        // What Tauri makes of an empty body, sent around the frame.
        assert!(!checked_by_frame("lock", &json(serde_json::json!({}))));
        assert!(!checked_by_frame("lock", &InvokeBody::Raw(Vec::new())));
        // Arguments the frame checked for another command.
        assert!(!checked_by_frame(
            "purge_acknowledged",
            &json(serde_json::json!({CHECKED: "app_status"}))
        ));
        assert!(!checked_by_frame(
            "lock",
            &json(serde_json::json!({CHECKED: true}))
        ));
        assert!(!checked_by_frame(
            "lock",
            &json(serde_json::json!(["lock"]))
        ));
    }

    #[test]
    fn the_frame_src_names_the_isolation_origin_alone() {
        let config: Value = serde_json::from_str(CONFIG).unwrap();
        let security = &config["app"]["security"];
        assert_eq!(security["pattern"]["use"], "isolation");
        let csp = security["csp"].as_str().unwrap();
        assert!(
            csp.contains("frame-src 'none'"),
            "without the frame, no frames: {csp}"
        );
        let origin = frame_origin("isolation-6f1c");
        let allowed = with_frame_src(csp, &origin);
        let frame_src: Vec<&str> = allowed
            .split(';')
            .map(str::trim)
            .filter(|d| d.starts_with("frame-src"))
            .collect();
        assert_eq!(frame_src, [format!("frame-src {origin}")]);
        // Everything else is as configured.
        let others = |c: &str| -> Vec<String> {
            c.split(';')
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.starts_with("frame-src"))
                .collect()
        };
        assert_eq!(others(&allowed), others(csp));
        assert_eq!(
            with_frame_src("default-src 'self'", "x://localhost"),
            "default-src 'self'; frame-src x://localhost"
        );
        if cfg!(target_os = "linux") {
            assert_eq!(origin, "isolation-6f1c://localhost");
        }
    }
}
