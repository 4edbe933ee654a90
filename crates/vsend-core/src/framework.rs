//! §2 Framework: the scale, the need areas of each domain and the model's settings.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::banding::{Banding, RawBanding};
use crate::domain::{Domain, PerDomain};

/// Most levels a scale may have above zero (§2).
pub const MAX_SCALE_LEVEL: u8 = 10;
/// Most need areas a domain may have (§2).
pub const MAX_AREAS_PER_DOMAIN: usize = 8;

/// A rating on a framework's scale: an integer in `0..=max_level`.
///
/// A `Level` can only be made through [`Scale::level`], so holding one means it
/// was checked against a scale. *Not assessed* is `Option::<Level>::None`, never 0.
///
/// ```
/// use vsend_core::Framework;
/// let fw = Framework::default();
/// let scale = fw.scale();
/// assert_eq!(scale.level(4).unwrap().get(), 4);
/// assert!(scale.level(5).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Level(u8);

impl Level {
    /// The level as a number.
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The rating scale of a framework: levels `0..=max_level`, each with a label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    max_level: u8,
    labels: Vec<String>,
}

impl Scale {
    /// The highest level, 1 to 10.
    pub fn max_level(&self) -> u8 {
        self.max_level
    }

    /// The label of each level, index = level.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `value` as a [`Level`] when it lies on this scale.
    #[inline]
    pub fn level(&self, value: u8) -> Option<Level> {
        (value <= self.max_level).then_some(Level(value))
    }
}

/// How area levels become a domain need (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// The domain need is the highest assessed area level.
    Max,
    /// The domain need is the mean of the assessed area levels, not rounded.
    Mean,
}

/// The position of a need area in its framework's area list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaIndex(pub(crate) u16);

impl AreaIndex {
    /// The position as a `usize`.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// One need area of a domain, e.g. `cl.literacy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    key: String,
    label: String,
    #[serde(skip)]
    domain: Domain,
}

impl Area {
    /// The key, `<domain>.<area>`.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The label shown to people.
    pub fn label(&self) -> &str {
        &self.label
    }
    /// The domain the area belongs to.
    pub fn domain(&self) -> Domain {
        self.domain
    }
}

/// A validated descriptor set (§2). Load one with [`Framework::from_json`], or
/// use [`Framework::default`] for `vsend-default` version `1`.
///
/// ```
/// use vsend_core::{Aggregate, Domain, Framework};
/// let fw = Framework::default();
/// assert_eq!((fw.id(), fw.version()), ("vsend-default", "1"));
/// assert_eq!(fw.aggregate(), Aggregate::Max);
/// assert_eq!(fw.areas_of(Domain::Ci).len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    id: String,
    version: String,
    scale: Scale,
    aggregate: Aggregate,
    meaningful_change: f64,
    review_interval_days: u32,
    high_need_level: u8,
    banding: Option<Banding>,
    /// All areas, grouped by domain in canonical order.
    areas: Vec<Area>,
    /// `areas[start..end]` belong to each domain.
    domain_areas: PerDomain<(u16, u16)>,
    by_key: HashMap<String, AreaIndex>,
}

impl Framework {
    /// The framework id, echoed in every output.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The framework version, echoed in every output.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// The rating scale.
    #[inline]
    pub fn scale(&self) -> &Scale {
        &self.scale
    }
    /// How area levels become a domain need.
    pub fn aggregate(&self) -> Aggregate {
        self.aggregate
    }
    /// The smallest domain change that counts (§7), > 0.
    pub fn meaningful_change(&self) -> f64 {
        self.meaningful_change
    }
    /// Days after which a review is overdue (§7), ≥ 1.
    pub fn review_interval_days(&self) -> u32 {
        self.review_interval_days
    }
    /// The level from which a domain need counts as *high* (§2, §11, §12).
    pub fn high_need_level(&self) -> u8 {
        self.high_need_level
    }
    /// The council's banding rule (§13), when the framework carries one.
    pub fn banding(&self) -> Option<&Banding> {
        self.banding.as_ref()
    }
    /// Every need area, grouped by domain in canonical order.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }
    /// The need areas of one domain.
    pub fn areas_of(&self, d: Domain) -> &[Area] {
        let (start, end) = self.domain_areas[d];
        &self.areas[start as usize..end as usize]
    }
    /// The index range of one domain's areas within [`areas`](Self::areas).
    pub(crate) fn area_range(&self, d: Domain) -> std::ops::Range<usize> {
        let (start, end) = self.domain_areas[d];
        start as usize..end as usize
    }
    /// The index of the area with this key, if the framework has it.
    pub fn area_index(&self, key: &str) -> Option<AreaIndex> {
        self.by_key.get(key).copied()
    }
    /// The area at an index from [`area_index`](Self::area_index).
    pub fn area(&self, index: AreaIndex) -> Option<&Area> {
        self.areas.get(index.get())
    }

    /// Loads and validates a framework from the JSON of §2.
    ///
    /// Every problem is reported, not only the first.
    ///
    /// ```
    /// use vsend_core::{Framework, FrameworkError};
    /// let err = Framework::from_json(r#"{"id": "x", "version": "1",
    ///     "scale": {"max_level": 2, "labels": ["a", "b"]}, "aggregate": "max",
    ///     "domains": {}}"#).unwrap_err();
    /// let FrameworkError::Invalid(problems) = err else { panic!() };
    /// assert_eq!(problems.len(), 6); // label count, and five missing domains
    /// ```
    pub fn from_json(json: &str) -> Result<Framework, FrameworkError> {
        let raw: RawFramework = serde_json::from_str(json).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            let message = e.to_string();
            // serde echoes what it found (an unknown key, a string) whole and raw.
            let at = format!(" at line {line} column {column}");
            let what = message.strip_suffix(&at).unwrap_or(&message);
            FrameworkError::Json {
                line,
                column,
                message: format!("{}{at}", printable(what)),
            }
        })?;
        raw.validate().map_err(FrameworkError::Invalid)
    }

    /// The framework as the JSON of §2 (pretty-printed), ready to save and edit.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a framework always serialises")
    }
}

impl Default for Framework {
    /// The built-in `vsend-default` version `1` (§2).
    fn default() -> Self {
        const AREAS: [(&str, &str); 19] = [
            ("cl.learning", "General learning and processing"),
            ("cl.literacy", "Literacy"),
            ("cl.numeracy", "Numeracy"),
            ("cl.attention_memory", "Attention and memory"),
            ("ci.expressive", "Expressive language and speech"),
            ("ci.receptive", "Understanding language"),
            ("ci.social", "Social communication and interaction"),
            ("sp.vision", "Vision"),
            ("sp.hearing", "Hearing"),
            ("sp.physical", "Motor and mobility"),
            ("sp.medical", "Health and medical"),
            ("sp.sensory_processing", "Sensory processing"),
            ("semh.emotional", "Emotional wellbeing and anxiety"),
            ("semh.behaviour", "Behaviour as communication"),
            ("semh.relationships", "Relationships"),
            ("semh.mental_health", "Mental health"),
            ("ind.self_care", "Self-care"),
            ("ind.safety", "Safety"),
            ("ind.community", "Travel and community participation"),
        ];
        let mut domains = BTreeMap::new();
        for d in Domain::ALL {
            let areas: Vec<RawArea> = AREAS
                .iter()
                .filter(|(key, _)| key.split('.').next() == Some(d.key()))
                .map(|&(key, label)| RawArea {
                    key: key.into(),
                    label: label.into(),
                })
                .collect();
            domains.insert(
                d.key().to_owned(),
                RawDomain {
                    areas: areas.into(),
                },
            );
        }
        RawFramework {
            id: "vsend-default".into(),
            version: "1".into(),
            scale: RawScale {
                max_level: 4,
                labels: [
                    "No additional need",
                    "Emerging",
                    "Moderate",
                    "Significant",
                    "Complex",
                ]
                .map(String::from)
                .to_vec()
                .into(),
            },
            aggregate: Aggregate::Max,
            meaningful_change: None,
            review_interval_days: None,
            high_need_level: None,
            banding: None,
            domains,
        }
        .validate()
        .expect("the built-in framework is valid")
    }
}

impl Serialize for Framework {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct DomainOut<'a> {
            areas: &'a [Area],
        }
        #[derive(Serialize)]
        struct Out<'a> {
            id: &'a str,
            version: &'a str,
            scale: &'a Scale,
            aggregate: Aggregate,
            meaningful_change: f64,
            review_interval_days: u32,
            high_need_level: u8,
            domains: PerDomain<DomainOut<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            banding: Option<&'a Banding>,
        }
        Out {
            id: &self.id,
            version: &self.version,
            scale: &self.scale,
            aggregate: self.aggregate,
            meaningful_change: self.meaningful_change,
            review_interval_days: self.review_interval_days,
            high_need_level: self.high_need_level,
            domains: PerDomain::from_fn(|d| DomainOut {
                areas: self.areas_of(d),
            }),
            banding: self.banding.as_ref(),
        }
        .serialize(s)
    }
}

/// Why a framework could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameworkError {
    /// The text is not JSON of the §2 shape (the message gives the position).
    #[error("{message}")]
    Json {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What serde_json found wrong.
        message: String,
    },
    /// The JSON has the right shape but breaks the rules of §2.
    #[error("{}", display_list(.0))]
    Invalid(Vec<FrameworkProblem>),
}

/// A serde message made safe to print: control and other forbidden
/// characters escaped, and each quoted part (`` `key` `` or `"text"`) cut to
/// 40 characters, as [`Found`](crate::error::Found) cuts values.
fn printable(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(400));
    let mut quote: Option<(char, usize)> = None;
    let mut escaped = false;
    for c in message.chars() {
        match quote {
            Some((q, _)) if c == q && !escaped => quote = None,
            Some((q, ref mut n)) => {
                // `"a\"b"`: serde's Debug-quoted strings escape their quotes.
                escaped = q == '"' && c == '\\' && !escaped;
                *n += 1;
                if *n == 41 {
                    out.push('…');
                }
                if *n > 40 {
                    continue;
                }
            }
            None if c == '`' || c == '"' => quote = Some((c, 0)),
            None => {}
        }
        if forbidden(c).is_some() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn display_list(problems: &[FrameworkProblem]) -> String {
    let parts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// One broken rule of §2 in a framework file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameworkProblem {
    /// `scale.max_level` outside `1..=10`.
    #[error("scale.max_level: {found} is outside the allowed range 1 to {MAX_SCALE_LEVEL}")]
    MaxLevelOutOfRange {
        /// The value found.
        found: i64,
    },
    /// `scale.labels` does not have one label per level.
    #[error("scale.labels: found {found} labels; max_level {max_level} needs exactly {}", .max_level + 1)]
    LabelCount {
        /// Labels found.
        found: usize,
        /// The scale's max_level.
        max_level: i64,
    },
    /// A domain of §1 is missing from `domains`.
    #[error("domains: {0} is missing; all five of cl, ci, sp, semh, ind are required")]
    MissingDomain(Domain),
    /// `domains` has a key that is not a domain.
    #[error("domains: {0:?} is not a domain; allowed: cl, ci, sp, semh, ind")]
    UnknownDomain(String),
    /// A domain has no areas.
    #[error("domains.{0}.areas: empty; each domain needs 1 to {MAX_AREAS_PER_DOMAIN} areas")]
    EmptyDomain(Domain),
    /// A domain has more than 8 areas.
    #[error(
        "domains.{domain}.areas: {found} areas; each domain allows 1 to {MAX_AREAS_PER_DOMAIN}"
    )]
    TooManyAreas {
        /// The domain.
        domain: Domain,
        /// Areas found.
        found: usize,
    },
    /// Two areas share a key.
    #[error("domains.{domain}.areas: key {key:?} appears more than once")]
    DuplicateArea {
        /// The domain where the repeat was found.
        domain: Domain,
        /// The repeated key.
        key: String,
    },
    /// An area key does not start with its own domain.
    #[error("domains.{domain}.areas: key {key:?} is outside its domain; keys here start with \"{domain}.\"")]
    AreaOutsideDomain {
        /// The domain the area is listed under.
        domain: Domain,
        /// The key found.
        key: String,
    },
    /// An area key's name part is empty or has characters other than `a-z 0-9 _`.
    #[error("domains.{domain}.areas: key {key:?} is malformed; allowed: \"{domain}.\" then lowercase letters, digits and _")]
    BadAreaKey {
        /// The domain.
        domain: Domain,
        /// The key found.
        key: String,
    },
    /// `meaningful_change` is not > 0.
    #[error("meaningful_change: {} is not allowed; it must be greater than 0", num(*.0))]
    MeaningfulChange(f64),
    /// `review_interval_days` is not ≥ 1.
    #[error("review_interval_days: {0} is not allowed; it must be a whole number of at least 1")]
    ReviewInterval(i64),
    /// `high_need_level` outside `1..=max_level`.
    #[error("high_need_level: {found} is outside the allowed range 1 to {max_level}")]
    HighNeedLevel {
        /// The value found.
        found: i64,
        /// The scale's max_level.
        max_level: i64,
    },
    /// `id` or `version` is empty.
    #[error("{0}: must not be empty")]
    Empty(&'static str),
    /// `banding.weights` lacks a domain (§13).
    #[error("banding.weights: {0} is missing; weights for all five of cl, ci, sp, semh, ind are required")]
    BandWeightMissing(Domain),
    /// `banding.weights` has a key that is not a domain (§13).
    #[error("banding.weights: {0:?} is not a domain; allowed: cl, ci, sp, semh, ind")]
    BandWeightUnknownDomain(String),
    /// A banding weight outside `0..=MAX_BAND_WEIGHT` (§13): below 0, or so
    /// large that band scores would stop being ordinary numbers.
    #[error(
        "banding.weights.{domain}: {} is outside the allowed range 0 to {}", num(*.found), num(MAX_BAND_WEIGHT)
    )]
    BandWeightOutOfRange {
        /// The domain.
        domain: Domain,
        /// The weight found.
        found: f64,
    },
    /// `banding.bands` is empty (§13).
    #[error("banding.bands: empty; at least one band is required")]
    NoBands,
    /// `banding.bands` has more than [`MAX_BANDS`] bands.
    #[error("banding.bands: {found} bands; allowed at most {MAX_BANDS}")]
    TooManyBands {
        /// Bands found.
        found: usize,
    },
    /// `banding.floors` has more than [`MAX_FLOORS`] floors.
    #[error("banding.floors: {found} floors; allowed at most {MAX_FLOORS}")]
    TooManyFloors {
        /// Floors found.
        found: usize,
    },
    /// A band with an empty id (§13).
    #[error("banding.bands[{index}].id: must not be empty")]
    BandIdEmpty {
        /// 0-based position in `bands`.
        index: usize,
    },
    /// A band named `unbanded`, the key cohort summaries use for assessments
    /// without a band (not a §13 rule: the two would collide in `bands`).
    #[error("banding.bands[{index}].id: \"unbanded\" is reserved for assessments without a band; choose another id")]
    BandIdReserved {
        /// 0-based position in `bands`.
        index: usize,
    },
    /// Two bands share an id (§13).
    #[error("banding.bands[{index}].id: {id:?} appears more than once; band ids must be unique")]
    BandIdDuplicate {
        /// 0-based position of the repeat.
        index: usize,
        /// The repeated id.
        id: String,
    },
    /// The first band's `min_score` is not 0 (§13).
    #[error("banding.bands[0].min_score: {} is not allowed; the first band must start at 0", num(*.found))]
    FirstMinScore {
        /// The value found.
        found: f64,
    },
    /// A band's `min_score` not above the previous band's (§13).
    #[error("banding.bands[{index}].min_score: {} is not above the previous band's {}; min_score must strictly ascend", num(*.found), num(*.previous))]
    MinScoreNotAscending {
        /// 0-based position in `bands`.
        index: usize,
        /// The value found.
        found: f64,
        /// The previous band's min_score.
        previous: f64,
    },
    /// A later band's `min_score` outside `0..=MAX_MIN_SCORE` (§13).
    #[error("banding.bands[{index}].min_score: {} is outside the allowed range 0 to {}", num(*.found), num(MAX_MIN_SCORE))]
    MinScoreOutOfRange {
        /// 0-based position in `bands`.
        index: usize,
        /// The value found.
        found: f64,
    },
    /// A `top_up` outside `0..=MAX_TOP_UP` (§13).
    #[error("banding.bands[{index}].top_up: {} is outside the allowed range 0 to {}, or leave it out", num(*.found), num(MAX_TOP_UP))]
    TopUpOutOfRange {
        /// 0-based position in `bands`.
        index: usize,
        /// The value found.
        found: f64,
    },
    /// A floor names a band that does not exist (§13).
    #[error("banding.floors[{index}].band: {found:?} names no band; allowed: {allowed}")]
    FloorUnknownBand {
        /// 0-based position in `floors`.
        index: usize,
        /// The band id found.
        found: String,
        /// The band ids of the framework, comma-separated.
        allowed: String,
    },
    /// A floor's `min_need` outside `1..=max_level` (§13).
    #[error(
        "banding.floors[{index}].min_need: {found} is outside the allowed range 1 to {max_level}"
    )]
    FloorMinNeed {
        /// 0-based position in `floors`.
        index: usize,
        /// The value found.
        found: i64,
        /// The scale's max_level.
        max_level: u8,
    },
    /// A floor's `domain` is not a domain key (§13).
    #[error("banding.floors[{index}].domain: {found:?} is not a domain; allowed: cl, ci, sp, semh, ind, or leave it out for any domain")]
    FloorUnknownDomain {
        /// 0-based position in `floors`.
        index: usize,
        /// The key found.
        found: String,
    },
    /// A text (`id`, `version`, a label, a band id) longer than it may be: it
    /// is echoed in every output row and on every chart.
    #[error("{field}: {found} characters; allowed at most {max}")]
    TooLong {
        /// Where, as a JSON path: `id`, `version`, `scale.labels[2]`,
        /// `domains.cl.areas[0].label`, `banding.bands[1].id`, ….
        field: String,
        /// Characters found.
        found: usize,
        /// The most allowed.
        max: usize,
    },
    /// A text carried into outputs (`id`, `version`, a label, a band id) holds
    /// a character that breaks them: a control character (U+0000 to U+001F,
    /// U+007F to U+009F) is not allowed in SVG (XML) and splits or corrupts
    /// CSV cells and terminal output; U+2028 and U+2029 are line breaks to many
    /// readers; the bidirectional overrides and isolates (U+202A to U+202E,
    /// U+2066 to U+2069) make a text display differently from what it holds;
    /// U+FFFE and U+FFFF are not characters in XML.
    #[error("{field}: U+{:04X} at character {position} is {}; allowed printable text", u32::from(*.found), forbidden_kind(*.found))]
    ForbiddenCharacter {
        /// Where, as a JSON path (as for [`TooLong`](Self::TooLong)).
        field: String,
        /// The first such character.
        found: char,
        /// Its 1-based position in the text, in characters.
        position: usize,
    },
}

/// Why a character may not be in a framework text, or `None` when it may.
pub(crate) fn forbidden(c: char) -> Option<&'static str> {
    match c {
        c if c.is_control() => Some("a control character"),
        '\u{2028}' | '\u{2029}' => Some("a line or paragraph separator"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            Some("a bidirectional override or isolate")
        }
        '\u{FFFE}' | '\u{FFFF}' => Some("not a character"),
        _ => None,
    }
}

fn forbidden_kind(c: char) -> &'static str {
    forbidden(c).unwrap_or("not allowed")
}

/// Checks one text a framework carries into its outputs: its length, and
/// that it holds no character [`FrameworkProblem::ForbiddenCharacter`] names.
/// `field` (its JSON path) is only built for a problem.
pub(crate) fn check_text(
    field: impl Fn() -> String,
    text: &str,
    max: usize,
    problems: &mut Vec<FrameworkProblem>,
) {
    let found = text.chars().count();
    if found > max {
        problems.push(FrameworkProblem::TooLong {
            field: field(),
            found,
            max,
        });
    }
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| forbidden(c).is_some())
    {
        problems.push(FrameworkProblem::ForbiddenCharacter {
            field: field(),
            found: c,
            position: i + 1,
        });
    }
}

/// A text found in a framework, as problems echo it: at most 40 characters
/// (as [`Found`](crate::error::Found) keeps); problems print it escaped (`{:?}`).
pub(crate) fn echo(text: &str) -> String {
    crate::error::Found::new(text).as_str().to_owned()
}

/// A number as problems print it: `1e308`, not 309 digits.
fn num(x: f64) -> String {
    if x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Longest framework `id` or `version`, or band id (characters): each is
/// copied into every scored row.
pub const MAX_FRAMEWORK_ID_LEN: usize = 64;
/// Longest scale, area or band label (characters): labels are drawn on charts.
pub const MAX_LABEL_LEN: usize = 200;
/// Most bands a banding rule may have (§13): each is a key of every cohort
/// group's `bands`; councils use a handful.
pub const MAX_BANDS: usize = 100;
/// Most floors a banding rule may have (§13): each is checked for every
/// complete assessment.
pub const MAX_FLOORS: usize = 100;
/// Largest banding weight (§13). With at most 10 levels, a band score is at
/// most 5 × 1000 × 10 = 50,000: always an ordinary finite number.
pub const MAX_BAND_WEIGHT: f64 = 1000.0;
/// Largest `min_score` of a band after the first (§13). A score above 50,000
/// is never reached (see [`MAX_BAND_WEIGHT`]); the bound only keeps the
/// framework's own numbers ordinary.
pub const MAX_MIN_SCORE: f64 = 1e9;
/// Largest `top_up` of a band (§13), in the council's currency. A group's
/// `top_up_total` is then at most 10⁹ × the children summed: finite for any
/// cohort (10¹⁸ for a billion children), and exact in whole units for any
/// realistic one (below 2⁵³ ≈ 9 × 10¹⁵).
pub const MAX_TOP_UP: f64 = 1e9;

/// The error for `key` given twice in one JSON object.
pub(crate) fn duplicate_key<E: serde::de::Error>(key: &str) -> E {
    E::custom(format_args!(
        "key {:?} appears more than once in its object; allowed once",
        echo(key)
    ))
}

/// A JSON object as a map, refusing a key given twice: serde's maps keep
/// the last silently, so `"cl": …` written twice would drop the first.
pub(crate) fn unique_keys<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
        type Value = BTreeMap<String, T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, T>()? {
                if out.contains_key(&key) {
                    return Err(duplicate_key(&key));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(V(std::marker::PhantomData))
}

/// A JSON array of which at most `MAX + 1` items are kept: the rest are
/// only counted (and checked to be JSON), so a hostile list of a million
/// items is refused by its length without a million items in memory.
#[derive(Debug)]
pub(crate) struct Capped<T, const MAX: usize> {
    /// The first `MAX + 1` items, at most.
    pub(crate) items: Vec<T>,
    /// How many items the array has.
    pub(crate) len: usize,
}

impl<T, const MAX: usize> Default for Capped<T, MAX> {
    fn default() -> Self {
        Capped {
            items: Vec::new(),
            len: 0,
        }
    }
}

impl<T, const MAX: usize> From<Vec<T>> for Capped<T, MAX> {
    fn from(items: Vec<T>) -> Self {
        Capped {
            len: items.len(),
            items,
        }
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Capped<T, MAX> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const MAX: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MAX: usize> serde::de::Visitor<'de> for V<T, MAX> {
            type Value = Capped<T, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Capped::default();
                while out.items.len() <= MAX {
                    match seq.next_element()? {
                        Some(item) => out.items.push(item),
                        None => {
                            out.len = out.items.len();
                            return Ok(out);
                        }
                    }
                }
                out.len = out.items.len();
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    out.len += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V::<T, MAX>(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: String,
    version: String,
    scale: RawScale,
    aggregate: Aggregate,
    meaningful_change: Option<f64>,
    review_interval_days: Option<i64>,
    high_need_level: Option<i64>,
    #[serde(deserialize_with = "unique_keys")]
    domains: BTreeMap<String, RawDomain>,
    banding: Option<RawBanding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    max_level: i64,
    labels: Capped<String, { MAX_SCALE_LEVEL as usize + 1 }>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    areas: Capped<RawArea, MAX_AREAS_PER_DOMAIN>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    key: String,
    label: String,
}

fn is_area_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A framework's need areas, checked: in order, by domain, and by key.
struct CheckedAreas {
    areas: Vec<Area>,
    domain_areas: PerDomain<(u16, u16)>,
    by_key: HashMap<String, AreaIndex>,
}

impl RawFramework {
    /// Every problem of the framework at once (§2), or the framework.
    fn validate(self) -> Result<Framework, Vec<FrameworkProblem>> {
        use FrameworkProblem as P;
        let mut problems = Vec::new();
        self.check_texts(&mut problems);
        let max_level = self.scale.max_level;
        let scale_ok = (1..=i64::from(MAX_SCALE_LEVEL)).contains(&max_level);
        if !scale_ok {
            problems.push(P::MaxLevelOutOfRange { found: max_level });
        } else if self.scale.labels.len as i64 != max_level + 1 {
            problems.push(P::LabelCount {
                found: self.scale.labels.len,
                max_level,
            });
        }
        let meaningful_change = self.meaningful_change.unwrap_or(1.0);
        // `!(x > 0)` also rejects NaN.
        if !(meaningful_change > 0.0 && meaningful_change.is_finite()) {
            problems.push(P::MeaningfulChange(meaningful_change));
        }
        let high_need_level = self.high_need_level.unwrap_or((max_level - 1).max(1));
        if scale_ok && !(1..=max_level).contains(&high_need_level) {
            problems.push(P::HighNeedLevel {
                found: high_need_level,
                max_level,
            });
        }
        let review_interval_days = self.review_interval_days.unwrap_or(122);
        if !(1..=i64::from(u32::MAX)).contains(&review_interval_days) {
            problems.push(P::ReviewInterval(review_interval_days));
        }
        let checked = self.check_domains(&mut problems);
        let banding = self
            .banding
            .and_then(|raw| raw.validate(scale_ok.then_some(max_level as u8), &mut problems));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Framework {
            banding,
            id: self.id,
            version: self.version,
            scale: Scale {
                max_level: max_level as u8,
                labels: self.scale.labels.items,
            },
            aggregate: self.aggregate,
            meaningful_change,
            review_interval_days: review_interval_days as u32,
            high_need_level: high_need_level as u8,
            areas: checked.areas,
            domain_areas: checked.domain_areas,
            by_key: checked.by_key,
        })
    }

    /// The id, the version and the scale's labels: present, not too long,
    /// no control characters.
    fn check_texts(&self, problems: &mut Vec<FrameworkProblem>) {
        use FrameworkProblem as P;
        if self.id.is_empty() {
            problems.push(P::Empty("id"));
        }
        if self.version.is_empty() {
            problems.push(P::Empty("version"));
        }
        check_text(|| "id".into(), &self.id, MAX_FRAMEWORK_ID_LEN, problems);
        check_text(
            || "version".into(),
            &self.version,
            MAX_FRAMEWORK_ID_LEN,
            problems,
        );
        // More labels than any scale has is a label count problem, not one per label.
        if self.scale.labels.len <= usize::from(MAX_SCALE_LEVEL) + 1 {
            for (i, label) in self.scale.labels.items.iter().enumerate() {
                check_text(
                    || format!("scale.labels[{i}]"),
                    label,
                    MAX_LABEL_LEN,
                    problems,
                );
            }
        }
    }

    /// The five domains and their need areas, in §1 order.
    fn check_domains(&self, problems: &mut Vec<FrameworkProblem>) -> CheckedAreas {
        use FrameworkProblem as P;
        for key in self.domains.keys() {
            if key.parse::<Domain>().is_err() {
                problems.push(P::UnknownDomain(echo(key)));
            }
        }
        let mut out = CheckedAreas {
            areas: Vec::new(),
            domain_areas: PerDomain::default(),
            by_key: HashMap::new(),
        };
        for d in Domain::ALL {
            let Some(raw) = self.domains.get(d.key()) else {
                problems.push(P::MissingDomain(d));
                continue;
            };
            match raw.areas.len {
                0 => problems.push(P::EmptyDomain(d)),
                n if n > MAX_AREAS_PER_DOMAIN => {
                    // One problem for the count, not one per area of a huge list.
                    problems.push(P::TooManyAreas {
                        domain: d,
                        found: n,
                    });
                    continue;
                }
                _ => {}
            }
            let start = out.areas.len() as u16;
            for (i, area) in raw.areas.items.iter().enumerate() {
                check_area(d, i, area, &mut out, problems);
            }
            out.domain_areas[d] = (start, out.areas.len() as u16);
        }
        out
    }
}

/// Area `i` of domain `d`: its label and key, added to `out`.
fn check_area(
    d: Domain,
    i: usize,
    area: &RawArea,
    out: &mut CheckedAreas,
    problems: &mut Vec<FrameworkProblem>,
) {
    use FrameworkProblem as P;
    let key = area.key.clone();
    let path = |what: &str| format!("domains.{d}.areas[{i}].{what}");
    check_text(|| path("label"), &area.label, MAX_LABEL_LEN, problems);
    let key_chars = key.chars().count();
    if key_chars > MAX_LABEL_LEN {
        problems.push(P::TooLong {
            field: path("key"),
            found: key_chars,
            max: MAX_LABEL_LEN,
        });
    }
    match key.split_once('.') {
        Some((prefix, name)) if prefix == d.key() => {
            if !is_area_name(name) {
                problems.push(P::BadAreaKey {
                    domain: d,
                    key: echo(&key),
                });
            }
        }
        _ => problems.push(P::AreaOutsideDomain {
            domain: d,
            key: echo(&key),
        }),
    }
    let index = AreaIndex(out.areas.len() as u16);
    // A hash map: a key seen before is found in one look, however many areas.
    if out.by_key.insert(key.clone(), index).is_some() {
        problems.push(P::DuplicateArea {
            domain: d,
            key: echo(&key),
        });
    }
    out.areas.push(Area {
        key,
        label: area.label.clone(),
        domain: d,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(json: &str) -> Vec<FrameworkProblem> {
        match Framework::from_json(json) {
            Err(FrameworkError::Invalid(p)) => p,
            other => panic!("expected validation problems, got {other:?}"),
        }
    }

    fn with_domains(domains: &str) -> String {
        format!(
            r#"{{"id": "t", "version": "2", "scale": {{"max_level": 1, "labels": ["no", "yes"]}},
            "aggregate": "mean", "domains": {domains}}}"#
        )
    }

    const FIVE: &str = r#"{"cl": {"areas": [{"key": "cl.a", "label": "A"}]},
        "ci": {"areas": [{"key": "ci.a", "label": "A"}]},
        "sp": {"areas": [{"key": "sp.a", "label": "A"}]},
        "semh": {"areas": [{"key": "semh.a", "label": "A"}]},
        "ind": {"areas": [{"key": "ind.a", "label": "A"}]}}"#;

    #[test]
    fn default_framework_matches_section_2() {
        let fw = Framework::default();
        assert_eq!(fw.scale().max_level(), 4);
        assert_eq!(fw.scale().labels().len(), 5);
        let counts: Vec<_> = Domain::ALL.map(|d| fw.areas_of(d).len()).to_vec();
        assert_eq!(counts, [4, 3, 5, 4, 3]);
        assert_eq!(fw.meaningful_change(), 1.0);
        assert_eq!(fw.review_interval_days(), 122);
        assert_eq!(fw.areas_of(Domain::Sp)[4].key(), "sp.sensory_processing");
        let i = fw.area_index("semh.behaviour").unwrap();
        assert_eq!(fw.area(i).unwrap().domain(), Domain::Semh);
    }

    #[test]
    fn high_need_level_defaults_below_the_top_and_is_checked() {
        assert_eq!(Framework::default().high_need_level(), 3);
        let small = Framework::from_json(&with_domains(FIVE)).unwrap();
        assert_eq!(small.high_need_level(), 1, "max(1, max_level - 1)");
        let json =
            with_domains(FIVE).replace(r#""aggregate""#, r#""high_need_level": 2, "aggregate""#);
        assert_eq!(
            problems(&json),
            [FrameworkProblem::HighNeedLevel {
                found: 2,
                max_level: 1
            }]
        );
    }

    #[test]
    fn long_texts_are_refused_each_by_name() {
        let long = "x".repeat(MAX_FRAMEWORK_ID_LEN + 1);
        let json = with_domains(FIVE)
            .replace(r#""id": "t""#, &format!(r#""id": "{long}""#))
            .replace(
                r#""label": "A"}]},"#,
                &format!(r#""label": "{}"}}]}},"#, "y".repeat(MAX_LABEL_LEN + 1)),
            );
        let p = problems(&json);
        assert_eq!(p.len(), 5, "the id and four long labels: {p:?}");
        assert_eq!(
            p[0].to_string(),
            format!(
                "id: {} characters; allowed at most {MAX_FRAMEWORK_ID_LEN}",
                MAX_FRAMEWORK_ID_LEN + 1
            )
        );
        assert_eq!(
            p[1].to_string(),
            "domains.cl.areas[0].label: 201 characters; allowed at most 200"
        );
        assert!(p[2]
            .to_string()
            .starts_with("domains.ci.areas[0].label: 201"));
    }

    #[test]
    fn to_json_round_trips() {
        let fw = Framework::default();
        assert_eq!(Framework::from_json(&fw.to_json()).unwrap(), fw);
        let small = Framework::from_json(&with_domains(FIVE)).unwrap();
        assert_eq!(small.aggregate(), Aggregate::Mean);
        assert_eq!(Framework::from_json(&small.to_json()).unwrap(), small);
    }

    #[test]
    fn each_rule_is_a_distinct_error() {
        let p = problems(&with_domains(
            r#"{"cl": {"areas": [{"key": "cl.a", "label": "A"}, {"key": "cl.a", "label": "B"}]},
                "ci": {"areas": [{"key": "cl.b", "label": "A"}]},
                "sp": {"areas": []},
                "semh": {"areas": [{"key": "semh.Bad", "label": "A"}]},
                "xx": {"areas": []}}"#,
        ));
        assert_eq!(
            p,
            [
                P::UnknownDomain("xx".into()),
                P::DuplicateArea {
                    domain: Domain::Cl,
                    key: "cl.a".into()
                },
                P::AreaOutsideDomain {
                    domain: Domain::Ci,
                    key: "cl.b".into()
                },
                P::EmptyDomain(Domain::Sp),
                P::BadAreaKey {
                    domain: Domain::Semh,
                    key: "semh.Bad".into()
                },
                P::MissingDomain(Domain::Ind),
            ]
        );
        use FrameworkProblem as P;
    }

    #[test]
    fn scale_and_settings_ranges() {
        let json = with_domains(FIVE);
        let bad = json
            .replace(r#""max_level": 1"#, r#""max_level": 11"#)
            .replace(
                r#""aggregate""#,
                r#""meaningful_change": 0, "review_interval_days": 0, "aggregate""#,
            );
        assert_eq!(
            problems(&bad),
            [
                FrameworkProblem::MaxLevelOutOfRange { found: 11 },
                FrameworkProblem::MeaningfulChange(0.0),
                FrameworkProblem::ReviewInterval(0),
            ]
        );
        let labels = json.replace(r#"["no", "yes"]"#, r#"["no"]"#);
        assert_eq!(
            problems(&labels),
            [FrameworkProblem::LabelCount {
                found: 1,
                max_level: 1
            }]
        );
        let nine = (0..9)
            .map(|i| format!(r#"{{"key": "cl.a{i}", "label": "x"}}"#))
            .collect::<Vec<_>>();
        let many = json.replace(
            r#"[{"key": "cl.a", "label": "A"}]"#,
            &format!("[{}]", nine.join(",")),
        );
        assert_eq!(
            problems(&many),
            [FrameworkProblem::TooManyAreas {
                domain: Domain::Cl,
                found: 9
            }]
        );
    }

    #[test]
    fn json_errors_have_positions_and_unknown_fields_are_rejected() {
        let err = Framework::from_json("{\n  \"id\": 3").unwrap_err();
        assert!(
            matches!(err, FrameworkError::Json { line: 2, .. }),
            "{err:?}"
        );
        let typo = with_domains(FIVE).replace("\"aggregate\"", "\"agregate\": 1, \"aggregate\"");
        let err = Framework::from_json(&typo).unwrap_err().to_string();
        assert!(err.contains("unknown field `agregate`"), "{err}");
    }

    fn with_banding(banding: &str) -> String {
        Framework::default()
            .to_json()
            .replacen('{', &format!(r#"{{"banding": {banding},"#), 1)
    }

    const WEIGHTS: &str = r#""weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1.5, "ind": 0.5}"#;

    #[test]
    fn banding_loads_and_round_trips() {
        let json = with_banding(&format!(
            r#"{{{WEIGHTS}, "bands": [{{"id": "A", "label": "a", "min_score": 0}},
                {{"id": "B", "label": "b", "min_score": 4, "top_up": 1500}}],
                "floors": [{{"domain": "semh", "min_need": 3, "band": "B"}}]}}"#
        ));
        let fw = Framework::from_json(&json).unwrap();
        let b = fw.banding().unwrap();
        assert_eq!(b.bands()[1].top_up(), Some(1500.0));
        assert_eq!(b.bands()[0].top_up(), None);
        assert_eq!(b.floors()[0].domain(), Some(Domain::Semh));
        assert_eq!(b.floors()[0].band(), 1);
        assert_eq!(b.weights()[Domain::Semh], 1.5);
        assert_eq!(Framework::from_json(&fw.to_json()).unwrap(), fw);
        assert!(Framework::default().banding().is_none());
        assert!(!Framework::default().to_json().contains("banding"));
    }

    #[test]
    fn each_banding_defect_is_its_own_error() {
        use FrameworkProblem as P;
        let band = |id: &str, min: &str, top: &str| {
            format!(r#"{{"id": "{id}", "label": "x", "min_score": {min}{top}}}"#)
        };
        let cases: Vec<(String, P)> = vec![
            (
                r#"{"weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1}, "bands": [{"id": "A", "label": "x", "min_score": 0}]}"#.into(),
                P::BandWeightMissing(Domain::Ind),
            ),
            (
                r#"{"weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1, "ind": 1, "xx": 1}, "bands": [{"id": "A", "label": "x", "min_score": 0}]}"#.into(),
                P::BandWeightUnknownDomain("xx".into()),
            ),
            (
                r#"{"weights": {"cl": 1, "ci": -1, "sp": 1, "semh": 1, "ind": 1}, "bands": [{"id": "A", "label": "x", "min_score": 0}]}"#.into(),
                P::BandWeightOutOfRange { domain: Domain::Ci, found: -1.0 },
            ),
            (format!(r#"{{{WEIGHTS}, "bands": []}}"#), P::NoBands),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}]}}"#, band("", "0", "")),
                P::BandIdEmpty { index: 0 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}, {}]}}"#, band("A", "0", ""), band("A", "2", "")),
                P::BandIdDuplicate { index: 1, id: "A".into() },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}, {}]}}"#, band("A", "0", ""), band("unbanded", "2", "")),
                P::BandIdReserved { index: 1 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}]}}"#, band("A", "1", "")),
                P::FirstMinScore { found: 1.0 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}, {}, {}]}}"#, band("A", "0", ""), band("B", "3", ""), band("C", "3", "")),
                P::MinScoreNotAscending { index: 2, found: 3.0, previous: 3.0 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}]}}"#, band("A", "0", r#", "top_up": -5"#)),
                P::TopUpOutOfRange { index: 0, found: -5.0 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}], "floors": [{{"min_need": 2, "band": "Z"}}]}}"#, band("A", "0", "")),
                P::FloorUnknownBand { index: 0, found: "Z".into(), allowed: "A".into() },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}], "floors": [{{"min_need": 5, "band": "A"}}]}}"#, band("A", "0", "")),
                P::FloorMinNeed { index: 0, found: 5, max_level: 4 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}], "floors": [{{"min_need": 0, "band": "A"}}]}}"#, band("A", "0", "")),
                P::FloorMinNeed { index: 0, found: 0, max_level: 4 },
            ),
            (
                format!(r#"{{{WEIGHTS}, "bands": [{}], "floors": [{{"domain": "xx", "min_need": 2, "band": "A"}}]}}"#, band("A", "0", "")),
                P::FloorUnknownDomain { index: 0, found: "xx".into() },
            ),
        ];
        let mut messages = std::collections::HashSet::new();
        for (banding, want) in cases {
            let got = problems(&with_banding(&banding));
            assert_eq!(got, [want], "{banding}");
            let message = got[0].to_string();
            assert!(message.starts_with("banding."), "{message}");
            messages.insert(std::mem::discriminant(&got[0]));
        }
        assert_eq!(messages.len(), 13, "each defect has its own variant");
        assert_eq!(
            P::FloorUnknownBand {
                index: 0,
                found: "Z".into(),
                allowed: "A, B".into()
            }
            .to_string(),
            r#"banding.floors[0].band: "Z" names no band; allowed: A, B"#
        );
        let typo = with_banding(&format!(
            r#"{{{WEIGHTS}, "bands": [{}], "flors": []}}"#,
            band("A", "0", "")
        ));
        assert!(matches!(
            Framework::from_json(&typo),
            Err(FrameworkError::Json { .. })
        ));
    }
}
