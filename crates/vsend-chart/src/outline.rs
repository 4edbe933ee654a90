//! Text as glyph outlines, so an SVG names no font and looks the same in
//! every viewer: each glyph used is defined once in `<defs>` as a path from
//! the embedded DejaVu Sans (in font units), and each `<text>` plotters
//! wrote becomes a group of `<use>`s of those glyphs. The group keeps the
//! words in `aria-label` (with `role="img"`), for screen readers and search.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve};

use crate::render::{FONT_BOLD, FONT_REGULAR};

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: FontRef::try_from_slice(FONT_REGULAR).ok()?,
                bold: FontRef::try_from_slice(FONT_BOLD).ok()?,
            })
        })
        .as_ref()
}

/// Replaces every `<text …>…</text>` of a plotters SVG with glyph outlines
/// and adds the glyphs used to a `<defs>` after the opening `<svg>` tag.
/// Returns `None` if the embedded font cannot be read.
pub(crate) fn outline_text(svg: &str) -> Option<String> {
    let faces = faces()?;
    let mut glyphs: BTreeMap<(bool, u16), String> = BTreeMap::new();
    let mut body = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("<text ") {
        body.push_str(&rest[..start]);
        let text = &rest[start..];
        let (Some(open_end), Some(close)) = (text.find('>'), text.find("</text>")) else {
            break;
        };
        let attrs = attributes(&text[6..open_end]);
        let escaped = text[open_end + 1..close].trim();
        group(faces, &attrs, escaped, &mut glyphs, &mut body);
        rest = &text[close + "</text>".len()..];
    }
    body.push_str(rest);

    let mut defs = String::from("<defs>\n");
    for ((bold, id), d) in &glyphs {
        let _ = writeln!(defs, "<path id=\"{}\" d=\"{d}\"/>", glyph_ref(*bold, *id));
    }
    defs.push_str("</defs>\n");
    // `xlink:href` (SVG 1.1) rather than `href`, which older viewers and
    // office suites do not follow.
    let svg_tag = body.find("<svg")?;
    let tag_end = body[svg_tag..].find('>').map(|j| svg_tag + j)?;
    if !body[svg_tag..tag_end].contains("xmlns:xlink") {
        body.insert_str(svg_tag + 4, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    }
    let insert = body[svg_tag..].find('>').map(|j| svg_tag + j + 1)?;
    let insert = if body[insert..].starts_with('\n') {
        insert + 1
    } else {
        insert
    };
    body.insert_str(insert, &defs);
    Some(body)
}

fn glyph_ref(bold: bool, id: u16) -> String {
    format!("g{}{id}", if bold { 'b' } else { 'r' })
}

/// `key="value"` pairs of one tag, values still escaped.
fn attributes(mut s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    while let Some(eq) = s.find("=\"") {
        let key = s[..eq].trim();
        let after = &s[eq + 2..];
        let Some(end) = after.find('"') else { break };
        out.push((key, &after[..end]));
        s = &after[end + 1..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Writes one text as a group of glyph `<use>`s, registering new glyphs.
fn group(
    faces: &Faces,
    attrs: &[(&str, &str)],
    escaped: &str,
    glyphs: &mut BTreeMap<(bool, u16), String>,
    out: &mut String,
) {
    let get = |k: &str| attrs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let bold = get("font-weight") == Some("bold");
    let face = if bold { &faces.bold } else { &faces.regular };
    let size = num("font-size");
    let upem = f64::from(face.units_per_em().unwrap_or(2048.0));
    let scale = size / upem;

    // Lay out in font units: advances and kerning, as resvg would.
    let text = unescape(escaped);
    let mut pen = 0f64;
    let mut uses: Vec<(u16, f64)> = Vec::new();
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let id = face.glyph_id(c);
        if let Some(p) = previous {
            pen += f64::from(face.kern_unscaled(p, id));
        }
        let key = (bold, id.0);
        if !glyphs.contains_key(&key) && !c.is_whitespace() {
            if let Some(d) = path_data(face, id) {
                glyphs.insert(key, d);
            }
        }
        if glyphs.contains_key(&key) {
            uses.push((id.0, pen));
        }
        pen += f64::from(face.h_advance_unscaled(id));
        previous = Some(id);
    }

    // Anchor: plotters writes the point as x, y with `dy` for the vertical
    // alignment (em is the font size, ex half of it, as usvg takes it).
    let width = pen * scale;
    let x = num("x")
        - match get("text-anchor") {
            Some("middle") => width / 2.0,
            Some("end") => width,
            _ => 0.0,
        };
    let dy = match get("dy") {
        Some(v) if v.ends_with("em") => v[..v.len() - 2].parse::<f64>().unwrap_or(0.0) * size,
        Some(v) if v.ends_with("ex") => v[..v.len() - 2].parse::<f64>().unwrap_or(0.0) * size / 2.0,
        Some(v) => v.parse::<f64>().unwrap_or(0.0),
        None => 0.0,
    };
    let y = num("y") + dy;

    let _ = write!(out, "<g role=\"img\" aria-label=\"{escaped}\"");
    if let Some(fill) = get("fill") {
        let _ = write!(out, " fill=\"{fill}\"");
    }
    if let Some(opacity) = get("opacity").filter(|o| *o != "1") {
        let _ = write!(out, " opacity=\"{opacity}\"");
    }
    let rotate = get("transform").map_or(String::new(), |t| format!("{t} "));
    let _ = writeln!(
        out,
        " transform=\"{rotate}translate({} {}) scale({} {})\">",
        round(x, 2),
        round(y, 2),
        round(scale, 6),
        round(-scale, 6)
    );
    for (id, at) in uses {
        let _ = write!(out, "<use xlink:href=\"#{}\"", glyph_ref(bold, id));
        if at != 0.0 {
            let _ = write!(out, " x=\"{}\"", round(at, 1));
        }
        out.push_str("/>");
    }
    out.push_str("\n</g>\n");
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    let r = (v * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A glyph's outline as SVG path data in font units (y up).
fn path_data(face: &FontRef<'_>, id: GlyphId) -> Option<String> {
    let outline = face.outline(id)?;
    let mut d = String::new();
    let mut last: Option<ab_glyph::Point> = None;
    let p = |d: &mut String, pt: ab_glyph::Point| {
        let _ = write!(
            d,
            "{} {} ",
            round(f64::from(pt.x), 1),
            round(f64::from(pt.y), 1)
        );
    };
    for curve in &outline.curves {
        let (start, end) = match curve {
            OutlineCurve::Line(a, b) => (*a, *b),
            OutlineCurve::Quad(a, _, c) => (*a, *c),
            OutlineCurve::Cubic(a, _, _, c) => (*a, *c),
        };
        if last != Some(start) {
            if last.is_some() {
                d.push_str("Z ");
            }
            d.push('M');
            p(&mut d, start);
        }
        match curve {
            OutlineCurve::Line(_, b) => {
                d.push('L');
                p(&mut d, *b);
            }
            OutlineCurve::Quad(_, b, c) => {
                d.push('Q');
                p(&mut d, *b);
                p(&mut d, *c);
            }
            OutlineCurve::Cubic(_, b, c, e) => {
                d.push('C');
                p(&mut d, *b);
                p(&mut d, *c);
                p(&mut d, *e);
            }
        }
        last = Some(end);
    }
    if d.is_empty() {
        return None;
    }
    d.push('Z');
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_glyph_uses_with_its_words_kept() {
        let svg = "<svg width=\"100\" height=\"50\" viewBox=\"0 0 100 50\" xmlns=\"http://www.w3.org/2000/svg\">\n\
                   <text x=\"50\" y=\"10\" dy=\"0.76em\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" opacity=\"1\" fill=\"#141414\">\nA &amp; B\n</text>\n</svg>\n";
        let out = outline_text(svg).unwrap();
        assert!(!out.contains("<text"), "{out}");
        assert!(!out.contains("font-family"), "{out}");
        assert!(out.contains("aria-label=\"A &amp; B\""), "{out}");
        // A, & and B once each in defs; the space has no outline.
        assert_eq!(out.matches("<path id=").count(), 3, "{out}");
        assert_eq!(out.matches("<use ").count(), 3, "{out}");
    }
}
