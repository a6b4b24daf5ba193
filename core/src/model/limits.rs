//! How much text a record may hold, and which characters. One set of limits for every way in:
//! the CLI, the window and bundles all parse a body through [`super::Record::from_value`] (the
//! bundle reader through `store::revisions::check_alone`), which checks these first, on the
//! JSON as it came, so a body that is too big is refused before it is turned into a record.
//!
//! Why these figures (also in `docs/records.md`):
//! - A *long* text field (a narrative, notes, a description) holds up to
//!   [`LONG_TEXT_MAX_CHARS`] characters. A survivor's account typed in her own words over a
//!   two-hour interview is some tens of thousands of characters; this is several times that,
//!   and still only about 600 KB in Khmer (3 bytes a character in UTF-8).
//! - A *one-line* field (a name, a code, a pseudonym, a place, a number) holds up to
//!   [`ONE_LINE_MAX_CHARS`] characters: far more than any name, alias or place needs, and
//!   small enough that a label or a CSV cell stays a cell.
//! - A whole record's JSON is at most [`RECORD_MAX_BYTES`]: room for a few long fields at
//!   their limit in Khmer, while a bundle line, a search index entry or a revision stays a
//!   size the store and the bundle reader handle in memory without thinking about it.
//!
//! Characters: control characters (C0, DEL and C1: NUL, ESC, backspace…) are refused in
//! every field, as are the Unicode line and paragraph separators in one-line fields. They
//! show as nothing, cut strings short in C libraries, or rewrite a terminal's line when the
//! CLI prints them (`\r`, ESC sequences), so a name could read one way and be another. Long
//! fields may break lines with `\n` and indent with `\t`; a carriage return is refused (the
//! window's text areas already give `\n`). Khmer's zero-width space (U+200B) and the
//! zero-width (non-)joiners (U+200C, U+200D) are format characters, not controls, and stay.

use serde_json::Value;

use crate::error::ValidationError;

/// Characters in a long text field (narrative, notes, description…).
pub const LONG_TEXT_MAX_CHARS: usize = 200_000;

/// Characters in a one-line field (a name, code, pseudonym, place…).
pub const ONE_LINE_MAX_CHARS: usize = 1_000;

/// Bytes of a record's JSON body (with a person's identity section, when it has one).
pub const RECORD_MAX_BYTES: usize = 2 * 1024 * 1024;

/// The fields that hold running text, by their name wherever they sit in a record. Every
/// other text field is one line.
pub const LONG_TEXT_FIELDS: [&str; 12] = [
    "narrative",
    "interviewer_notes",
    "notes",
    "note",
    "description",
    "promised",
    "how",
    "place_note",
    "stop_note",
    "reason",
    "action",
    "address",
];

/// Checks every text field of a body (named from `root`, e.g. `interview`) against its limit
/// and its characters, then the body as a whole against [`RECORD_MAX_BYTES`].
pub(crate) fn check(root: &str, value: &Value) -> Result<(), ValidationError> {
    check_value(root, None, value)?;
    check_size(root, value)
}

/// Checks only that a body's JSON is at most [`RECORD_MAX_BYTES`]. A draft is held to this
/// alone: its text is checked field by field when it is committed, and refusing an autosave
/// for one stray character would lose what was typed since.
pub(crate) fn check_size(root: &str, value: &Value) -> Result<(), ValidationError> {
    let mut size = SizeCounter {
        written: 0,
        max: RECORD_MAX_BYTES,
    };
    if serde_json::to_writer(&mut size, value).is_err() {
        return Err(ValidationError::new(
            root,
            format!(
                "the record is larger than {} MiB; keep long accounts to their own fields, \
                 and put documents in attachments",
                RECORD_MAX_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

fn check_value(path: &str, name: Option<&str>, value: &Value) -> Result<(), ValidationError> {
    match value {
        Value::String(text) => check_text(path, name.unwrap_or(path), text),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(n, item)| check_value(&format!("{path}[{n}]"), name, item)),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(key, v)| check_value(&format!("{path}.{key}"), Some(key), v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// One text field: `path` names it in the error, `name` (its last key) says which kind it is.
pub(crate) fn check_text(path: &str, name: &str, text: &str) -> Result<(), ValidationError> {
    let long = LONG_TEXT_FIELDS.contains(&name);
    let max = if long {
        LONG_TEXT_MAX_CHARS
    } else {
        ONE_LINE_MAX_CHARS
    };
    // A character is at most 4 bytes, so a longer text is refused without counting.
    if text.len() > max * 4 || text.chars().count() > max {
        return Err(ValidationError::new(
            path,
            format!("is longer than {max} characters"),
        ));
    }
    let refused = text.chars().enumerate().find(|(_, c)| match c {
        '\n' | '\t' => !long,
        '\u{2028}' | '\u{2029}' => !long,
        c => c.is_control(),
    });
    match refused {
        None => Ok(()),
        Some((at, c)) => Err(ValidationError::new(
            path,
            format!(
                "holds a control character (U+{:04X}) at character {}; {}",
                u32::from(c),
                at + 1,
                if long {
                    "running text may break lines with \\n and indent with \\t, nothing else"
                } else {
                    "names, codes and other one-line fields hold printable text only"
                }
            ),
        )),
    }
}

/// Counts bytes written and fails once there are more than `max`, so a body is measured
/// without being written out whole.
struct SizeCounter {
    written: usize,
    max: usize,
}

impl std::io::Write for SizeCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written = self.written.saturating_add(buf.len());
        if self.written > self.max {
            return Err(std::io::Error::other("record too large"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Khmer running text with its zero-width spaces (U+200B) between words, and a ZWNJ/ZWJ.
    const KHMER: &str =
        "ខ្ញុំ\u{200B}ត្រូវ\u{200B}បាន\u{200B}គេ\u{200B}សន្យា\u{200C}ការងារ\u{200D}នៅ\u{200B}ថៃ។";

    #[test]
    fn khmer_with_zero_width_spaces_and_joiners_is_accepted_in_every_field() {
        check_text("person.pseudonym", "pseudonym", KHMER).unwrap();
        check_text("interview.narrative", "narrative", KHMER).unwrap();
        let story = format!("{KHMER}\n\t{KHMER}\n");
        check_text("interview.narrative", "narrative", &story).unwrap();
    }

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        for c in [
            '\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\r', '\n', '\t',
        ] {
            let name = format!("ស្រី{c}មុំ");
            let e = check_text("person.pseudonym", "pseudonym", &name).unwrap_err();
            assert_eq!(e.field, "person.pseudonym");
            assert!(e.rule.contains("control character"), "{c:?}: {}", e.rule);
        }
        for c in ['\0', '\r', '\u{1b}', '\u{8}'] {
            let text = format!("{KHMER}{c}");
            let e = check_text("case.notes", "notes", &text).unwrap_err();
            assert_eq!(e.field, "case.notes");
        }
        let e = check_text("establishment.name", "name", "A\u{2028}B").unwrap_err();
        assert!(e.rule.contains("U+2028"), "{}", e.rule);
    }

    #[test]
    fn fields_are_held_to_their_limits_in_characters_not_bytes() {
        // 200 000 Khmer characters are 600 000 bytes and still fit a long field.
        let long: String = "ក".repeat(LONG_TEXT_MAX_CHARS);
        check_text("interview.narrative", "narrative", &long).unwrap();
        let e = check_text("interview.narrative", "narrative", &format!("{long}ក")).unwrap_err();
        assert!(e.rule.contains("200000 characters"), "{}", e.rule);
        let name: String = "ក".repeat(ONE_LINE_MAX_CHARS);
        check_text("person.pseudonym", "pseudonym", &name).unwrap();
        let e = check_text("person.pseudonym", "pseudonym", &format!("{name}ក")).unwrap_err();
        assert_eq!(e.field, "person.pseudonym");
    }

    #[test]
    fn paths_name_the_field_inside_lists_and_the_record_as_a_whole_is_bounded() {
        let body = json!({"aliases": ["ok", "bad\u{0}"], "notes": KHMER});
        let e = check("establishment", &body).unwrap_err();
        assert_eq!(e.field, "establishment.aliases[1]");
        // Long fields each within their limit, but too many together.
        let chunk = "ក".repeat(LONG_TEXT_MAX_CHARS);
        let body =
            json!({"notes": chunk, "description": chunk, "address": chunk, "narrative": chunk});
        let e = check("establishment", &body).unwrap_err();
        assert_eq!(e.field, "establishment");
        assert!(e.rule.contains("2 MiB"), "{}", e.rule);
    }
}
