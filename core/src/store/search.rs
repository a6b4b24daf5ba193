//! Full-text search over record text, Khmer included.
//!
//! FTS5 with the trigram tokenizer: it indexes every run of three characters,
//! so a substring is found whether or not the language puts spaces between
//! words (Khmer does not). The indexed text is the model's `search_text`,
//! which never holds a person's identity section; results show labels only.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::RecordKind;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: RecordKind,
    /// Its label (a pseudonym for a person, never identity).
    pub label: String,
    /// A short excerpt around the match, the match in «…».
    pub excerpt: String,
    /// When the record last changed (UTC, RFC 3339).
    pub updated_at: String,
}

/// Replaces a record's indexed text (`None` removes it).
pub(crate) fn index(tx: &Transaction<'_>, rowid: i64, text: Option<&str>) -> Result<()> {
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([rowid])?;
    if let Some(text) = text {
        tx.prepare_cached("INSERT INTO search (rowid, text) VALUES (?1, ?2)")?
            .execute(params![rowid, text])?;
    }
    Ok(())
}

/// [`index`] for a record whose row in `records` was just made (a rowid never used before,
/// as records are never deleted): it has no entry to replace.
pub(crate) fn index_new(tx: &Transaction<'_>, rowid: i64, text: Option<&str>) -> Result<()> {
    if let Some(text) = text {
        tx.prepare_cached("INSERT INTO search (rowid, text) VALUES (?1, ?2)")?
            .execute(params![rowid, text])?;
    }
    Ok(())
}

/// Finds records whose text contains `query` (case-insensitive), a page at a time.
pub fn search(conn: &Connection, query: &str, limit: u32, offset: u32) -> Result<Vec<SearchHit>> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let rows = if query.chars().count() >= 3 {
        // A quoted FTS5 string is matched as a substring by the trigram tokenizer.
        let phrase = format!("\"{}\"", query.replace('"', "\"\""));
        // The excerpt is FTS5's `snippet(search, 0, '«', '»', '…', 40)`, worked out here from
        // the text (see `excerpt`): FTS5 tokenizes each hit's whole text twice for it, which
        // was half of what a search cost. Where the text or the query holds a character whose
        // case folding is not certain to be SQLite's, FTS5 makes it as before.
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.kind, r.label, search.text, search.rowid, r.updated_at
             FROM search JOIN records r ON r.rowid = search.rowid
             WHERE search MATCH ?1 AND r.deleted = 0 LIMIT ?2 OFFSET ?3",
        )?;
        let hits = stmt
            .query_map(params![phrase, limit, offset], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut rows = Vec::with_capacity(hits.len());
        for (id, kind, label, text, rowid, updated_at) in hits {
            let excerpt = match excerpt(&text, query) {
                Some(e) => e,
                None => conn
                    .prepare_cached(
                        "SELECT snippet(search, 0, '«', '»', '…', 40) FROM search
                         WHERE search MATCH ?1 AND rowid = ?2",
                    )?
                    .query_row(params![phrase, rowid], |r| r.get(0))?,
            };
            rows.push((id, kind, label, excerpt, updated_at));
        }
        rows
    } else {
        // Under three characters the trigram index cannot help: scan.
        let pattern = format!(
            "%{}%",
            query
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.kind, r.label, substr(search.text, max(1, instr(lower(search.text), lower(?4)) - 30), 80), r.updated_at
             FROM search JOIN records r ON r.rowid = search.rowid
             WHERE search.text LIKE ?1 ESCAPE '\\' AND r.deleted = 0 LIMIT ?2 OFFSET ?3",
        )?;
        let rows = stmt
            .query_map(params![pattern, limit, offset, query], row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    rows.into_iter()
        .map(|(id, kind, label, excerpt, updated_at)| {
            Ok(SearchHit {
                id: Uuid::parse_str(&id).map_err(|e| Error::StoreDamaged(e.to_string()))?,
                kind: kind
                    .parse()
                    .map_err(|_| Error::StoreDamaged(format!("unknown kind {kind}")))?,
                label,
                excerpt: excerpt.replace('\n', " "),
                updated_at,
            })
        })
        .collect()
}

type HitTexts = (String, String, String, String, String);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HitTexts> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

/// Words in the excerpt window, as FTS5's `snippet()` counts them (trigram tokens).
const EXCERPT_TOKENS: i64 = 40;

/// A character folded as SQLite's trigram tokenizer folds it (`case_sensitive 0`,
/// `remove_diacritics 0`), or `None` when that is not certain here: ASCII folds A–Z, and a
/// character with no case at all (Khmer, punctuation, …) stays itself; anything else
/// (letters with case outside ASCII, NUL) is left to FTS5.
fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return (c != '\0').then(|| c.to_ascii_lowercase());
    }
    // Khmer and Khmer Symbols have no case; asked first because most text here is Khmer.
    if matches!(c, '\u{1780}'..='\u{17FF}' | '\u{19E0}'..='\u{19FF}') {
        return Some(c);
    }
    let caseless =
        c.to_lowercase().eq(std::iter::once(c)) && c.to_uppercase().eq(std::iter::once(c));
    caseless.then_some(c)
}

/// What FTS5's `snippet(search, 0, '«', '»', '…', 40)` returns for `text` when the query is
/// the single phrase `query` (three characters or more): the same algorithm (`fts5SnippetFunction`
/// and `fts5HighlightCb` in SQLite's fts5_aux.c) over the same tokens (one trigram at each
/// character). `None` when a character's folding is not certain (see [`fold`]) or nothing
/// matches, so that the caller asks FTS5 instead.
fn excerpt(text: &str, query: &str) -> Option<String> {
    let needle: Vec<char> = query.chars().map(fold).collect::<Option<_>>()?;
    if needle.len() < 3 {
        return None;
    }
    // Each character folded, and its byte offset (then the end's).
    let mut folded: Vec<char> = Vec::with_capacity(text.len());
    let mut offsets: Vec<usize> = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        folded.push(fold(c)?);
        offsets.push(i);
    }
    offsets.push(text.len());
    let n = folded.len();
    // Token p is the trigram at character p: bytes offsets[p]..offsets[p + 3].
    let doc_size = n.saturating_sub(2);
    let phrase_size = needle.len() - 2;
    let instances: Vec<usize> = (0..doc_size)
        .filter(|&p| {
            folded.get(p) == needle.first() && folded.get(p..p + needle.len()) == Some(&needle[..])
        })
        .collect();
    if instances.is_empty() {
        return None;
    }
    let start = |p: usize| offsets.get(p).copied().unwrap_or(text.len());
    let end = |p: usize| offsets.get(p + 3).copied().unwrap_or(text.len());
    let bytes = text.as_bytes();

    // Sentence starts: the first token, and any token after a '.' or ':' and whitespace.
    let mut sentences: Vec<usize> = Vec::new();
    for p in 0..doc_size {
        if p == 0 {
            sentences.push(0);
            continue;
        }
        let s = start(p);
        let mut i = s;
        let mut c = 0u8;
        while i > 0 {
            c = bytes.get(i - 1).copied().unwrap_or(0);
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            i -= 1;
        }
        if i != s && (c == b'.' || c == b':') {
            sentences.push(p);
        }
    }

    let (n_doc, n_token) = (doc_size as i64, EXCERPT_TOKENS);
    // fts5SnippetScore: one phrase, so the first instance in the window scores 1000 and
    // each other one 1; the window is then centred on the instances it holds.
    let score = |from: i64| -> (i64, i64) {
        let mut score = 0;
        let mut first = -1i64;
        let mut last = 0i64;
        for &io in &instances {
            let io = io as i64;
            if io >= from && io < from + n_token {
                score += if first < 0 { 1000 } else { 1 };
                if first < 0 {
                    first = io;
                }
                last = io + phrase_size as i64;
            }
        }
        let mut adjusted = first - (n_token - (last - first)) / 2;
        if adjusted + n_token > n_doc {
            adjusted = n_doc - n_token;
        }
        (score, adjusted.max(0))
    };
    let (mut best_score, mut best_start) = (0i64, 0i64);
    for &io in &instances {
        let io = io as i64;
        let (s, adjusted) = score(io);
        if s > best_score {
            best_score = s;
            best_start = adjusted;
        }
        if !sentences.is_empty() && n_doc > n_token {
            let mut jj = 0;
            while jj + 1 < sentences.len() && sentences[jj + 1] as i64 <= io {
                jj += 1;
            }
            let sentence = sentences.get(jj).map_or(0, |&s| s as i64);
            if sentence < io {
                let s = score(sentence).0 + if sentence == 0 { 120 } else { 100 };
                if s > best_score {
                    best_score = s;
                    best_start = sentence;
                }
            }
        }
    }

    // Coalesced instances, as (first token, last token).
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for &io in &instances {
        let (io, io_end) = (io as i64, (io + phrase_size) as i64 - 1);
        match ranges.last_mut() {
            Some(last) if io <= last.1 => last.1 = last.1.max(io_end),
            _ => ranges.push((io, io_end)),
        }
    }
    let mut next = ranges
        .iter()
        .copied()
        .skip_while(|r| r.0 < best_start)
        .peekable();
    let mut current = next.next().unwrap_or((-1, -1));

    // fts5HighlightCb over the window's tokens.
    let (range_start, range_end) = (best_start, best_start + n_token - 1);
    let mut out = String::new();
    // Appends text[from..to], or text[from..] when `to` is before `from` (as FTS5 does).
    let append = |out: &mut String, from: usize, to: usize| {
        let slice = if to >= from {
            text.get(from..to)
        } else {
            text.get(from..)
        };
        out.push_str(slice.unwrap_or_default());
    };
    if best_start > 0 {
        out.push('…');
    }
    let mut off = 0usize;
    let mut open = false;
    for p in 0..doc_size {
        let pos = p as i64;
        if pos < range_start || pos > range_end {
            continue;
        }
        let (s, e) = (start(p), end(p));
        if range_start != 0 && pos == range_start {
            off = s;
        }
        if open && (pos <= current.0 || current.0 < 0) && s > off {
            out.push('»');
            open = false;
        }
        if pos == current.0 && !open {
            append(&mut out, off, s);
            out.push('«');
            off = s;
            open = true;
        }
        if pos == current.1 {
            if !open {
                out.push('«');
                open = true;
            }
            append(&mut out, off, e);
            off = e;
            current = next.next().unwrap_or((-1, -1));
        }
        if pos == range_end {
            if open {
                if current.0 >= 0 && pos >= current.0 {
                    append(&mut out, off, e);
                    off = e;
                }
                out.push('»');
                open = false;
            }
            append(&mut out, off, e);
            off = e;
        }
    }
    if open {
        out.push('»');
    }
    if range_end >= n_doc - 1 {
        append(&mut out, off, text.len());
    } else {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{example, RecordKind};

    /// xorshift64: the same cases on every run, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Compares `excerpt` with FTS5's own `snippet()` for every query over every text it
    /// matches; returns how many excerpts were made here (the rest went to FTS5).
    fn compare(texts: &[String], queries: &[String]) -> (usize, usize) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'trigram');")
            .unwrap();
        for text in texts {
            conn.execute("INSERT INTO t (text) VALUES (?1)", [text])
                .unwrap();
        }
        let mut stmt = conn
            .prepare("SELECT text, snippet(t, 0, '«', '»', '…', 40) FROM t WHERE t MATCH ?1")
            .unwrap();
        let (mut here, mut all) = (0, 0);
        for query in queries {
            let phrase = format!("\"{}\"", query.replace('"', "\"\""));
            let rows: Vec<(String, String)> = stmt
                .query_map([phrase], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for (text, snippet) in rows {
                all += 1;
                if let Some(mine) = excerpt(&text, query) {
                    here += 1;
                    assert_eq!(mine, snippet, "query {query:?} in {text:?}");
                }
            }
        }
        eprintln!("{here} of {all} excerpts made here, the rest by FTS5");
        (here, all)
    }

    #[test]
    fn excerpts_are_the_ones_fts5_makes_for_the_example_records() {
        let mut texts = Vec::new();
        for kind in [
            RecordKind::Person,
            RecordKind::Establishment,
            RecordKind::Visit,
            RecordKind::Interview,
            RecordKind::Case,
            RecordKind::Referral,
        ] {
            let text = example(kind).search_text();
            for i in 0..5 {
                texts.push(format!(
                    "{text} Bench note {i}: karaoke near the border; ការងារ បំណុល."
                ));
            }
            texts.push(text);
        }
        let queries: Vec<String> = [
            "kar",
            "KARAOKE",
            "Sihanoukville",
            "note 3:",
            "ភោជនីយដ្ឋាន",
            "ការ",
            "ការងា",
            "bus",
            "the",
            "ing",
            ". T",
            "រ។ ",
            "Night bus, with",
            "$60",
            "«",
            "ster",
        ]
        .iter()
        .map(|q| q.to_string())
        .collect();
        let (here, all) = compare(&texts, &queries);
        assert!(all > 50, "{all} hits");
        assert_eq!(here, all, "every example excerpt is made here");
    }

    #[test]
    fn excerpts_are_the_ones_fts5_makes_for_random_texts() {
        // Letters with and without case, Khmer, digits, spaces, sentence ends, and characters
        // whose folding is left to FTS5 (É, ς).
        let certain: Vec<char> = "aAbBcCdD  ..::\n\t01ក្ខគ ាំ·«»-xyz".chars().collect();
        let uncertain: Vec<char> = "aAbB ÉéςΣ".chars().collect();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut texts = Vec::new();
        for i in 0..500 {
            let alphabet = if i % 10 == 0 { &uncertain } else { &certain };
            let len = rng.below(200);
            texts.push(
                (0..len)
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect::<String>(),
            );
        }
        let mut queries = Vec::new();
        for _ in 0..1000 {
            let text: Vec<char> = texts[rng.below(texts.len())].chars().collect();
            if text.len() < 3 {
                continue;
            }
            let len = 3 + rng.below(6.min(text.len() - 2));
            let at = rng.below(text.len() - len + 1);
            let mut q: String = text[at..at + len].iter().collect();
            if rng.below(2) == 0 {
                q = q.to_uppercase();
            }
            if !q.trim().is_empty() && q.trim().chars().count() >= 3 {
                queries.push(q.trim().to_string());
            }
        }
        let (here, all) = compare(&texts, &queries);
        assert!(all > 500, "{all} hits");
        assert!(here * 2 > all, "{here} of {all} made here");
    }
}
