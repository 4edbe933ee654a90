//! Fonts, colours and the SVG → PNG step shared by every chart.

use std::sync::{Arc, OnceLock};

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};
use plotters::style::{FontStyle, RGBColor};
use resvg::{tiny_skia, usvg};

use crate::{ChartError, Result};

/// DejaVu Sans, embedded (Bitstream Vera licence; DejaVu changes public domain).
pub const FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, embedded.
pub const FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
/// The family name of the embedded font. SVGs name no font: their text is
/// drawn as this font's glyph outlines.
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// Needs: Okabe–Ito blue, the darkest of the three lines.
pub(crate) const NEEDS: RGBColor = RGBColor(0, 114, 178);
/// The needs at the previous review: the needs' blue, darkened, so the
/// dashed line stands out in print and on a projector.
pub(crate) const PREVIOUS: RGBColor = RGBColor(0, 60, 100);
/// Setting readiness: Okabe–Ito bluish green, mid lightness.
pub(crate) const READINESS: RGBColor = RGBColor(0, 158, 115);
/// Family confidence: Okabe–Ito reddish purple (pink), the lightest.
pub(crate) const CONFIDENCE: RGBColor = RGBColor(204, 121, 167);
/// The receiving setting's readiness on a transition radar: Okabe–Ito vermillion.
pub(crate) const RECEIVING: RGBColor = RGBColor(213, 94, 0);
/// Grid, axes and secondary text.
pub(crate) const GRID: RGBColor = RGBColor(190, 190, 190);
pub(crate) const MUTED: RGBColor = RGBColor(100, 100, 100);
pub(crate) const INK: RGBColor = RGBColor(20, 20, 20);
/// The marker for a need that the setting or family does not meet.
pub(crate) const WARNING: RGBColor = RGBColor(213, 94, 0);

/// Smallest and largest side, in pixels.
pub(crate) const SIDE: std::ops::RangeInclusive<u32> = 100..=8000;

fn check_size(width: u32, height: u32) -> Result<()> {
    if SIDE.contains(&width) && SIDE.contains(&height) {
        Ok(())
    } else {
        Err(ChartError::Size { width, height })
    }
}

/// Registers the embedded font with plotters' text layout, once per process.
/// plotters needs it for measuring and placing text, even for SVG.
fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [
            (FontStyle::Normal, FONT_REGULAR),
            (FontStyle::Bold, FONT_BOLD),
        ]
        .into_iter()
        .all(|(style, bytes)| plotters::style::register_font("sans-serif", style, bytes).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Draw(
            "the embedded font could not be loaded".into(),
        ))
    }
}

fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for bytes in [FONT_REGULAR, FONT_BOLD] {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(bytes)));
        }
        db.set_sans_serif_family(FONT_FAMILY);
        usvg::Options {
            font_family: FONT_FAMILY.into(),
            fontdb: Arc::new(db),
            ..Default::default()
        }
    })
}

/// Runs `draw` on a fresh SVG canvas of `width × height` pixels and returns the
/// SVG with its text as glyph outlines (no font is named, so every viewer
/// shows the embedded DejaVu Sans): the size check, font registration and
/// error mapping every chart shares.
pub(crate) fn draw_svg<E: std::fmt::Display>(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), E>,
) -> Result<String> {
    check_size(width, height)?;
    register_fonts()?;
    let mut svg = String::with_capacity(32 * 1024);
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root).map_err(|e| ChartError::Draw(e.to_string()))?;
        root.present()
            .map_err(|e| ChartError::Draw(e.to_string()))?;
    }
    crate::outline::outline_text(&svg)
        .ok_or_else(|| ChartError::Draw("the embedded font could not be read".into()))
}

/// Rasterises an SVG to PNG bytes at its own pixel size, anti-aliased, with
/// text in the embedded font only (no system fonts are looked up).
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>> {
    // plotters gives a translucent shape `opacity`, which resvg renders through
    // a whole-canvas layer; for one shape `fill-opacity` looks the same and is
    // several times cheaper to rasterise.
    let svg = svg.replace("<polygon opacity=", "<polygon fill-opacity=");
    let svg = svg.as_str();
    let tree =
        usvg::Tree::from_str(svg, options()).map_err(|e| ChartError::Raster(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ChartError::Raster("empty image".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    encode_rgb_png(&pixmap).map_err(|e| ChartError::Raster(e.to_string()))
}

/// Encodes an opaque pixmap as 8-bit RGB PNG with png's fast DEFLATE: the
/// default encoder spent most of a radar's time compressing. On a white
/// background every pixel is opaque, so premultiplied RGBA is plain RGB.
fn encode_rgb_png(pixmap: &tiny_skia::Pixmap) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}

/// The embedded font at `size` pixels.
pub(crate) fn font(size: f64, color: RGBColor, bold: bool) -> plotters::style::TextStyle<'static> {
    use plotters::style::IntoFont;
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    ("sans-serif", size).into_font().style(style).color(&color)
}

/// A figure with at most two decimals and no trailing zeros: 8.5, 8, 2.33.
pub(crate) fn number(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A count of children as words: "1 child", "2,741 children".
pub(crate) fn children(n: u64) -> String {
    if n == 1 {
        "1 child".to_owned()
    } else {
        format!("{} children", thousands(n))
    }
}

/// A count with its thousands separated: 2,741.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Splits a label into lines of at most `width` characters at spaces.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(8.5), "8.5");
        assert_eq!(number(6.0), "6");
        assert_eq!(number(2.333), "2.33");
        assert_eq!(number(-0.001), "0");
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(thousands(2741), "2,741");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(children(1), "1 child");
        assert_eq!(children(59_120), "59,120 children");
    }

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(
            wrap("Social, emotional and mental health", 22),
            ["Social, emotional and", "mental health"]
        );
        assert_eq!(wrap("Independence", 22), ["Independence"]);
    }
}
