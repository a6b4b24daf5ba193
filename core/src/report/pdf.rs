//! A small typesetter for printable summaries: paragraphs of shaped text on A4 pages, with
//! the fonts compiled into the binary, so Khmer (and Thai) print correctly shaped on a
//! machine that has no such fonts.
//!
//! Text is split into runs by script (Khmer → Noto Sans Khmer, Thai → Noto Sans Thai,
//! everything else → Noto Sans; spaces and zero-width marks stay with the run they are in),
//! each run shaped with rustybuzz, measured, and wrapped at spaces and zero-width spaces, or,
//! for a word wider than the line (Khmer writes no spaces between words), between shaping
//! clusters (whole syllables, never inside one). krilla writes the PDF: each font embedded
//! once, subsetted to the glyphs used, as a CID font with a ToUnicode map, so the text can be
//! copied and searched. Everything happens in memory; nothing is written to disk here.

use std::cell::RefCell;
use std::ops::Range;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document};

use crate::error::{Error, Result};

const LATIN: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
const KHMER: &[u8] = include_bytes!("../../assets/fonts/NotoSansKhmer-Regular.ttf");
const THAI: &[u8] = include_bytes!("../../assets/fonts/NotoSansThai-Regular.ttf");

/// A4, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4, in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 56.0;
/// Room kept at the bottom for the footer.
const MARGIN_BOTTOM: f32 = 64.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 32.0;

/// The width text may take between the margins.
pub(crate) const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

/// How text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    /// Font size in points.
    pub size: f32,
    /// Grey instead of black (secondary facts).
    pub grey: bool,
}

impl Style {
    pub(crate) const fn new(size: f32) -> Style {
        Style { size, grey: false }
    }
    pub(crate) const fn grey(size: f32) -> Style {
        Style { size, grey: true }
    }
    /// Baseline to baseline. Khmer stacks vowels above and subscripts below: lines need room.
    fn line_height(&self) -> f32 {
        self.size * 1.7
    }
}

/// One font, for shaping (rustybuzz) and for the PDF (krilla).
struct Face {
    shaper: rustybuzz::Face<'static>,
    pdf: Font,
    units_per_em: f32,
}

impl Face {
    fn load(bytes: &'static [u8], name: &str) -> Result<Face> {
        let broken = || Error::Pdf(format!("the embedded font {name} cannot be read"));
        let shaper = rustybuzz::Face::from_slice(bytes, 0).ok_or_else(broken)?;
        let pdf = Font::new(Data::from(bytes), 0).ok_or_else(broken)?;
        let units_per_em = shaper.units_per_em() as f32;
        Ok(Face {
            shaper,
            pdf,
            units_per_em,
        })
    }
}

/// The embedded fonts, by script.
pub(crate) struct Fonts {
    faces: [Face; 3],
    /// Shaping plans, made once per font and script (making one reads the font's whole
    /// feature list: far slower than shaping a line).
    plans: RefCell<Vec<(usize, rustybuzz::Script, rustybuzz::ShapePlan)>>,
}

const FONT_LATIN: usize = 0;
const FONT_KHMER: usize = 1;
const FONT_THAI: usize = 2;

/// Which font a character needs; None for one that goes with its neighbours (spaces,
/// zero-width marks).
fn font_for(c: char) -> Option<usize> {
    match c {
        '\u{1780}'..='\u{17FF}' | '\u{19E0}'..='\u{19FF}' => Some(FONT_KHMER),
        '\u{0E00}'..='\u{0E7F}' => Some(FONT_THAI),
        ' ' | '\u{00A0}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{25CC}' => None,
        _ => Some(FONT_LATIN),
    }
}

/// Where a line may break before a character: after a space or a zero-width space.
fn breaks_after(c: char) -> bool {
    c == ' ' || c == '\u{200B}'
}

/// A cluster of glyphs (one or more characters shaped together): where it starts in the
/// text and how wide it is at 1 pt.
#[derive(Debug, Clone, Copy)]
struct Cluster {
    start: usize,
    advance: f32,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts> {
        Ok(Fonts {
            faces: [
                Face::load(LATIN, "Noto Sans")?,
                Face::load(KHMER, "Noto Sans Khmer")?,
                Face::load(THAI, "Noto Sans Thai")?,
            ],
            plans: RefCell::new(Vec::new()),
        })
    }

    /// The text split into runs of one font each.
    fn runs(text: &str) -> Vec<(usize, Range<usize>)> {
        let mut runs: Vec<(usize, Range<usize>)> = Vec::new();
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            match (font_for(c), runs.last_mut()) {
                (None, Some(last)) => last.1.end = end,
                (None, None) => runs.push((FONT_LATIN, i..end)),
                (Some(f), Some(last)) if last.0 == f => last.1.end = end,
                (Some(f), Some(last))
                    if text[last.1.clone()].chars().all(|c| font_for(c).is_none()) =>
                {
                    // Only neutral characters so far: they go with what follows.
                    last.0 = f;
                    last.1.end = end;
                }
                (Some(f), _) => runs.push((f, i..end)),
            }
        }
        runs
    }

    /// Shapes `text` with one font; glyph ranges are relative to `text`, advances per 1 em.
    fn shape(&self, font: usize, text: &str) -> Vec<KrillaGlyph> {
        let face = &self.faces[font];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        let script = buffer.script();
        let mut plans = self.plans.borrow_mut();
        let known = plans
            .iter()
            .position(|(f, s, _)| *f == font && *s == script);
        let index = known.unwrap_or_else(|| {
            let plan = rustybuzz::ShapePlan::new(
                &face.shaper,
                rustybuzz::Direction::LeftToRight,
                Some(script),
                None,
                &[],
            );
            plans.push((font, script, plan));
            plans.len() - 1
        });
        let shaped = rustybuzz::shape_with_plan(&face.shaper, &plans[index].2, buffer);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let em = face.units_per_em;
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[i..]
                .iter()
                .map(|g| g.cluster as usize)
                .find(|&c| c > start)
                .unwrap_or(text.len());
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                start..end,
                None,
            ));
        }
        glyphs
    }

    /// The text's clusters in order, with their widths at 1 pt.
    fn clusters(&self, text: &str) -> Vec<Cluster> {
        let mut out: Vec<Cluster> = Vec::new();
        for (font, range) in Self::runs(text) {
            let glyphs = self.shape(font, &text[range.clone()]);
            let run_start = out.len();
            for g in glyphs {
                let start = range.start + g.text_range.start;
                // Left to right, a cluster's glyphs come together.
                match out[run_start..].last_mut().filter(|c| c.start == start) {
                    Some(c) => c.advance += g.x_advance,
                    None => out.push(Cluster {
                        start,
                        advance: g.x_advance,
                    }),
                }
            }
        }
        out.sort_by_key(|c| c.start);
        out
    }

    /// How wide `text` is at `size`.
    #[cfg(test)]
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        self.clusters(text).iter().map(|c| c.advance).sum::<f32>() * size
    }

    /// Breaks `text` into lines no wider than `max` at `size`: at newlines, at spaces and
    /// zero-width spaces, and between clusters for a word too wide for a line.
    pub(crate) fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in clean(text).split('\n') {
            let paragraph = paragraph.trim_end();
            if paragraph.is_empty() {
                lines.push(String::new());
                continue;
            }
            let clusters = self.clusters(paragraph);
            let starts_at = |i: usize| clusters.get(i).map_or(paragraph.len(), |c| c.start);
            let is_space = |i: usize| paragraph[starts_at(i)..].starts_with(breaks_after);
            let mut first = 0;
            while first < clusters.len() {
                // A line never starts with spaces.
                while first < clusters.len() && is_space(first) {
                    first += 1;
                }
                if first >= clusters.len() {
                    break;
                }
                let mut width = 0.0;
                let mut end = first;
                let mut last_break = None;
                while end < clusters.len() {
                    let w = clusters[end].advance * size;
                    if end > first && paragraph[..starts_at(end)].ends_with(breaks_after) {
                        last_break = Some(end);
                    }
                    if width + w > max && end > first && !is_space(end) {
                        end = last_break.unwrap_or(end);
                        break;
                    }
                    width += w;
                    end += 1;
                }
                lines.push(
                    paragraph[starts_at(first)..starts_at(end)]
                        .trim_end()
                        .to_string(),
                );
                first = end;
            }
        }
        lines
    }

    /// Draws one line with its baseline at (`x`, `y`).
    fn draw(
        &self,
        surface: &mut krilla::surface::Surface<'_>,
        x: f32,
        y: f32,
        text: &str,
        size: f32,
    ) {
        let mut x = x;
        for (font, range) in Self::runs(text) {
            let run = &text[range];
            let glyphs = self.shape(font, run);
            let advance: f32 = glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
            surface.draw_glyphs(
                Point::from_xy(x, y),
                &glyphs,
                self.faces[font].pdf.clone(),
                run,
                size,
                false,
            );
            x += advance;
        }
    }
}

/// Tabs to spaces, carriage returns and other control characters out.
fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Something placed on a page.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text {
        x: f32,
        baseline: f32,
        text: String,
        style: Style,
    },
    Rule {
        y: f32,
    },
}

/// Pages being laid out, top to bottom, with page breaks where the next block does not fit.
pub(crate) struct Layout {
    fonts: Fonts,
    pages: Vec<Vec<Item>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl Layout {
    pub(crate) fn new() -> Result<Layout> {
        Ok(Layout {
            fonts: Fonts::load()?,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        })
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    pub(crate) fn keep(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - MARGIN_BOTTOM && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    /// Vertical space.
    pub(crate) fn space(&mut self, height: f32) {
        self.y += height;
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    /// A thin horizontal line across the text width.
    pub(crate) fn rule(&mut self) {
        self.keep(8.0);
        self.y += 4.0;
        let y = self.y;
        self.push(Item::Rule { y });
        self.y += 6.0;
    }

    /// How many lines `text` takes in `width`.
    pub(crate) fn lines(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        self.fonts.wrap(text, style.size, width)
    }

    /// A wrapped paragraph at `x`, `width` wide, breaking pages between lines.
    pub(crate) fn paragraph(&mut self, x: f32, width: f32, text: &str, style: Style) {
        for line in self.lines(text, style, width) {
            self.line(x, &line, style);
        }
    }

    /// One line (already short enough), on a new page if it does not fit.
    fn line(&mut self, x: f32, text: &str, style: Style) {
        let h = style.line_height();
        self.keep(h);
        let baseline = self.y + style.size * 1.15;
        if !text.is_empty() {
            self.push(Item::Text {
                x,
                baseline,
                text: text.to_string(),
                style,
            });
        }
        self.y += h;
    }

    /// A row of columns, each `(x, width, text, style)`, wrapped in its own column, lines
    /// sharing a baseline, kept on one page when it fits on one; as tall as its tallest column.
    pub(crate) fn row(&mut self, columns: &[(f32, f32, &str, Style)]) {
        let wrapped: Vec<(f32, Style, Vec<String>)> = columns
            .iter()
            .map(|(x, w, text, style)| (*x, *style, self.lines(text, *style, *w)))
            .collect();
        let lines = wrapped.iter().map(|c| c.2.len()).max().unwrap_or(0);
        let line_height = wrapped
            .iter()
            .map(|(_, s, _)| s.line_height())
            .fold(0.0, f32::max);
        let ascent = wrapped
            .iter()
            .map(|(_, s, _)| s.size * 1.15)
            .fold(0.0, f32::max);
        let height = lines as f32 * line_height;
        if height <= PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM {
            self.keep(height);
        }
        for i in 0..lines {
            self.keep(line_height);
            let baseline = self.y + ascent;
            for (x, style, column) in &wrapped {
                if let Some(text) = column.get(i).filter(|t| !t.is_empty()) {
                    self.push(Item::Text {
                        x: *x,
                        baseline,
                        text: text.clone(),
                        style: *style,
                    });
                }
            }
            self.y += line_height;
        }
    }

    /// Writes the pages, each with `footer(page, pages)` at its foot, and returns the PDF.
    pub(crate) fn finish(self, footer: impl Fn(usize, usize) -> String) -> Result<Vec<u8>> {
        let mut document = Document::new();
        let total = self.pages.len();
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| Error::Pdf("the page size is invalid".into()))?;
        for (n, items) in self.pages.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for item in items {
                match item {
                    Item::Text {
                        x,
                        baseline,
                        text,
                        style,
                    } => {
                        surface.set_fill(Some(fill(*style)));
                        self.fonts
                            .draw(&mut surface, *x, *baseline, text, style.size);
                    }
                    Item::Rule { y } => {
                        let mut path = PathBuilder::new();
                        path.move_to(MARGIN_X, *y);
                        path.line_to(PAGE_WIDTH - MARGIN_X, *y);
                        if let Some(path) = path.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                paint: rgb::Color::new(150, 150, 150).into(),
                                width: 0.6,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                }
            }
            let style = Style::grey(8.0);
            surface.set_fill(Some(fill(style)));
            let text = footer(n + 1, total);
            for (i, line) in self
                .fonts
                .wrap(&text, style.size, TEXT_WIDTH)
                .iter()
                .enumerate()
            {
                let y = FOOTER_BASELINE + i as f32 * style.line_height();
                self.fonts.draw(&mut surface, MARGIN_X, y, line, style.size);
            }
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|e| {
            Error::Pdf(match e {
                krilla::error::KrillaError::Font(_, message) => {
                    format!("embedding a font: {message}")
                }
                _ => "the PDF writer refused the document".into(),
            })
        })
    }
}

fn fill(style: Style) -> Fill {
    let grey = if style.grey { 85 } else { 0 };
    Fill {
        paint: rgb::Color::new(grey, grey, grey).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_by_script_and_keep_spaces_with_their_run() {
        let text = "Sreymom ផ្កា ឈូក, ok";
        let runs: Vec<(usize, &str)> = Fonts::runs(text)
            .into_iter()
            .map(|(f, r)| (f, &text[r]))
            .collect();
        assert_eq!(
            runs,
            vec![
                (FONT_LATIN, "Sreymom "),
                (FONT_KHMER, "ផ្កា ឈូក"),
                (FONT_LATIN, ", ok")
            ]
        );
        assert_eq!(Fonts::runs(" ផ្កា")[0].0, FONT_KHMER);
    }

    #[test]
    fn khmer_is_shaped_a_subscript_joins_its_syllable() {
        let fonts = Fonts::load().unwrap();
        // ក្រ: KA, COENG, RO: one syllable, one cluster; the coeng takes no glyph of its own.
        let clusters = fonts.clusters("ក្រ");
        assert_eq!(clusters.len(), 1);
        // No glyph is .notdef (0): the font has them all.
        for text in ["ស្រីមុំ", "ផ្កាឈូក", "Hello", "สวัสดี"]
        {
            let runs = Fonts::runs(text);
            for (font, range) in runs {
                let glyphs = fonts.shape(font, &text[range]);
                assert!(glyphs.iter().all(|g| g.glyph_id.to_u32() != 0), "{text}");
            }
        }
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_between_khmer_syllables_never_inside() {
        let fonts = Fonts::load().unwrap();
        let text = "one two three four five six seven eight nine ten";
        let width = fonts.width("one two three", 10.0) + 0.5;
        let lines = fonts.wrap(text, 10.0, width);
        assert_eq!(lines[0], "one two three");
        assert!(lines.iter().all(|l| fonts.width(l, 10.0) <= width));
        assert_eq!(lines.join(" "), text);

        let khmer = "ស្ត្រីម្នាក់ត្រូវបានគេបញ្ឆោតឱ្យធ្វើការនៅកោះកុង".repeat(3);
        let lines = fonts.wrap(&khmer, 12.0, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat(), khmer, "nothing lost or added");
        for line in &lines {
            assert!(fonts.width(line, 12.0) <= 120.0);
            // A line never starts with a dependent sign or a coeng.
            let first = line.chars().next().unwrap();
            assert!(!('\u{17B6}'..='\u{17D3}').contains(&first), "{line}");
        }
        assert_eq!(fonts.wrap("a\n\nb", 10.0, 100.0), vec!["a", "", "b"]);
    }
}
