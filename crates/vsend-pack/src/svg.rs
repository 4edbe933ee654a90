//! A chart made ready to sit inside a page: parsed, checked against a short
//! list of what vsend's charts draw, and written out again with every value
//! escaped, its ids made unique to the chart, and a title and description for
//! screen readers.
//!
//! Each chart SVG from `vsend-chart` defines its glyphs with the same ids
//! (`gr71` is the regular "a" in every chart), which is fine in a file of its
//! own but invalid twice in one HTML document; and a chart is only safe to
//! paste into a page if it can carry no script, event handler or link to
//! anything outside itself. Rather than trusting the text, this module parses
//! it (roxmltree, no DTDs) and writes a new SVG element by element.

use std::fmt::{self, Write as _};

use crate::PackError;

/// Elements a chart may contain: what plotters draws, plus the glyph defs
/// and `use`s that `vsend-chart` writes text as.
const ELEMENTS: &[&str] = &[
    "svg", "defs", "g", "path", "use", "rect", "circle", "ellipse", "line", "polyline", "polygon",
];

/// Attributes a chart element may carry (besides `href`, checked on its own).
/// No `style` (CSS could fetch), no event handlers.
const ATTRIBUTES: &[&str] = &[
    "id",
    "viewBox",
    "preserveAspectRatio",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
];

/// A chart's SVG, checked and rewritten for inlining into a page (see the
/// module docs). Displays as the `<svg>` element; templates print it as it
/// is, because every value in it was escaped when it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineSvg(String);

impl InlineSvg {
    /// Rewrites `svg` (a chart from `vsend-chart`) for a page: every id gets
    /// the prefix `key-`, the root gets `role="img"`, a `<title>` (`title`)
    /// and a `<desc>` (`description`) it is labelled by, and loses its fixed
    /// width and height (the page's CSS sizes it; the `viewBox` keeps its
    /// shape). `key` must be unique in the page: lowercase ASCII letters,
    /// digits and `-`.
    ///
    /// Fails when `svg` is not an SVG, or holds an element or attribute that
    /// a chart never draws (a script, an event handler, a style, a link to
    /// anything but the chart itself).
    pub fn new(svg: &str, key: &str, title: &str, description: &str) -> Result<Self, PackError> {
        let bad = |why: String| PackError::Svg {
            chart: key.to_owned(),
            why,
        };
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad(format!("{key:?} is not a chart key")));
        }
        let doc = roxmltree::Document::parse(svg).map_err(|e| bad(e.to_string()))?;
        let root = doc.root_element();
        if root.tag_name().name() != "svg" {
            return Err(bad(format!("the root is <{}>", root.tag_name().name())));
        }
        let mut out = String::with_capacity(svg.len());
        let mut writer = Writer { key, out: &mut out };
        writer
            .element(root, Some((title, description)))
            .map_err(bad)?;
        Ok(InlineSvg(out))
    }

    /// The SVG element's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InlineSvg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Written element by element with every value escaped: safe to print unescaped.
impl askama::filters::HtmlSafe for InlineSvg {}

struct Writer<'a> {
    key: &'a str,
    out: &'a mut String,
}

impl Writer<'_> {
    /// Writes `node` and its children; `label` is the root's title and description.
    fn element(
        &mut self,
        node: roxmltree::Node<'_, '_>,
        label: Option<(&str, &str)>,
    ) -> Result<(), String> {
        let name = node.tag_name().name();
        if !ELEMENTS.contains(&name) || (name == "svg" && label.is_none()) {
            return Err(format!("<{name}> is not allowed in a chart"));
        }
        self.out.push('<');
        self.out.push_str(name);
        for attr in node.attributes() {
            let (local, value) = (attr.name(), attr.value());
            if local == "href" {
                // Only a link to a glyph of this chart.
                let target = value
                    .strip_prefix('#')
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| format!("a link to {value:?}, outside the chart"))?;
                self.attribute("href", &format!("#{}-{target}", self.key));
                continue;
            }
            if matches!(local, "role" | "aria-label") && attr.namespace().is_none() {
                // The words of a text the chart drew as glyphs: the chart is
                // one image, labelled as a whole, so they are left out.
                continue;
            }
            if attr.namespace().is_some() || !ATTRIBUTES.contains(&local) {
                return Err(format!("the attribute {local:?} is not allowed in a chart"));
            }
            if value.contains("url(") {
                return Err(format!("{local}={value:?} refers to a resource"));
            }
            match local {
                "id" => self.attribute("id", &format!("{}-{value}", self.key)),
                // The page sizes the chart; the viewBox keeps its shape.
                "width" | "height" if label.is_some() => {}
                _ => self.attribute(local, value),
            }
        }
        if let Some((title, description)) = label {
            let labelled = format!("{0}-title {0}-desc", self.key);
            self.attribute("role", "img");
            self.attribute("aria-labelledby", &labelled);
            self.attribute("class", "chart");
            self.out.push('>');
            let _ = write!(self.out, "<title id=\"{}-title\">", self.key);
            escape_into(self.out, title);
            let _ = write!(self.out, "</title><desc id=\"{}-desc\">", self.key);
            escape_into(self.out, description);
            self.out.push_str("</desc>");
        } else {
            self.out.push('>');
        }
        for child in node.children() {
            if child.is_element() {
                self.element(child, None)?;
            } else if child.is_text() {
                let text = child.text().unwrap_or_default();
                if !text.trim().is_empty() {
                    return Err(format!("text {:?} in <{name}>", text.trim()));
                }
            }
            // Comments and processing instructions are dropped.
        }
        let _ = write!(self.out, "</{name}>");
        if matches!(name, "svg" | "defs" | "g") {
            self.out.push('\n');
        }
        Ok(())
    }

    fn attribute(&mut self, name: &str, value: &str) {
        let _ = write!(self.out, " {name}=\"");
        escape_into(self.out, value);
        self.out.push('"');
    }
}

/// Escapes text for an HTML/XML attribute value or element content.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"100\" height=\"50\" viewBox=\"0 0 100 50\" xmlns=\"http://www.w3.org/2000/svg\">\n<defs>\n<path id=\"gr1\" d=\"M0 0 L1 1 Z\"/>\n</defs>\n<g role=\"img\" aria-label=\"A\" transform=\"translate(1 2)\"><use xlink:href=\"#gr1\" x=\"3\"/></g>\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" fill=\"#FFFFFF\"/>\n</svg>\n";

    fn refused(svg: &str) -> String {
        InlineSvg::new(svg, "c", "t", "d").unwrap_err().to_string()
    }

    #[test]
    fn ids_and_links_are_prefixed_and_the_root_is_labelled() {
        let out = InlineSvg::new(SMALL, "radar", "A <title>", "Says \"what\"").unwrap();
        let s = out.as_str();
        assert!(s.starts_with("<svg viewBox=\"0 0 100 50\" role=\"img\" aria-labelledby=\"radar-title radar-desc\" class=\"chart\"><title id=\"radar-title\">A &lt;title&gt;</title><desc id=\"radar-desc\">Says &quot;what&quot;</desc>"), "{s}");
        assert!(s.contains("<path id=\"radar-gr1\""), "{s}");
        assert!(s.contains("<use href=\"#radar-gr1\" x=\"3\">"), "{s}");
        // The inner group's role and label are dropped (the chart is one image);
        // the rect keeps its size, only the root loses its own.
        assert!(!s.contains("aria-label=\"A\""), "{s}");
        assert!(
            s.contains("<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\""),
            "{s}"
        );
        assert!(!s.contains("http"), "{s}");
    }

    #[test]
    fn anything_a_chart_never_draws_is_refused() {
        let cases = [
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "<script>"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", "\"onload\""),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><g style=\"x\"/></svg>", "\"style\""),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><use xlink:href=\"http://example.org/a.svg#x\"/></svg>", "outside the chart"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"a.png\"/></svg>", "<image>"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect fill=\"url(http://x/y)\"/></svg>", "refers to a resource"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><foreignObject/></svg>", "<foreignObject>"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><svg/></svg>", "<svg>"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><g>words</g></svg>", "text"),
            ("<html/>", "the root is <html>"),
            ("<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>", "DTD"),
            ("not xml", "unknown token"),
        ];
        for (svg, why) in cases {
            let e = refused(svg);
            assert!(e.contains(why), "{svg}: {e}");
        }
        assert!(InlineSvg::new(SMALL, "Radar", "t", "d").is_err());
        assert!(InlineSvg::new(SMALL, "a b", "t", "d").is_err());
    }
}
