//! What can go wrong with a file as a whole (unreadable, a bad header, a quote that breaks a line), and the hints for common mistakes.

use super::*;

/// What is wrong with a header that is not comma-separated cohort CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderHint {
    /// One column holding `;` separators (European Excel).
    Semicolons,
    /// One column holding tabs.
    Tabs,
    /// The first line is a JSON object.
    Json,
    /// The file is UTF-16 ("Unicode Text" from Excel, Notepad's "Unicode").
    Utf16,
    /// The file is UTF-32 (rare: some databases' and scripts' exports).
    Utf32,
}

/// UTF-32 text: its byte order mark, or three NUL bytes in every four
/// (ASCII column names in UTF-32 without a mark).
pub(super) fn looks_like_utf32(text: &[u8]) -> bool {
    if text.starts_with(&[0xFF, 0xFE, 0, 0]) || text.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return true;
    }
    let nuls = text.iter().filter(|&&b| b == 0).count();
    text.len() >= 8 && nuls * 4 >= text.len() * 3
}

/// A UTF-16 byte order mark, or text where every other byte is NUL (ASCII
/// column names in UTF-16 without a mark).
pub(super) fn looks_like_utf16(text: &[u8]) -> bool {
    if text.starts_with(&[0xFF, 0xFE]) || text.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let nuls = text.iter().filter(|&&b| b == 0).count();
    text.len() >= 4 && nuls * 3 >= text.len()
}

/// How a quoted cell went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteError {
    /// A quote opened and not closed before the end of the line.
    Open,
    /// Text between a closing quote and the next comma.
    TextAfter,
}

impl QuoteError {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            QuoteError::Open => "a quote opened here is not closed before the end of the line; a cell cannot span lines",
            QuoteError::TextAfter => "text follows the closing quote; a quoted cell ends at its closing quote (write \"\" for a quote inside it)",
        }
    }
}

/// A problem with the input as a whole: exit code 2.
#[derive(Debug)]
pub enum FileError {
    /// The path does not exist.
    NotFound(PathBuf),
    /// The path is a directory.
    IsDirectory(PathBuf),
    /// The extension is neither `.csv`, `.jsonl` nor `.xlsx`.
    UnknownFormat(PathBuf),
    /// An `.xlsx` input that cannot be read: not a workbook, encrypted,
    /// damaged, no such sheet, an empty sheet or header cell (boxed: rare and large).
    Workbook(Box<WorkbookError>),
    /// Reading failed.
    Io(String, io::Error),
    /// The file has no header row.
    Empty(String),
    /// A JSON Lines file with no record: empty, or only blank lines (as a CSV
    /// file with no header row is [`FileError::Empty`]).
    EmptyJsonl(String),
    /// The header row is not UTF-8.
    HeaderNotUtf8 {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
        /// 1-based column of the bad header.
        column: usize,
        /// 0-based byte offset within that header cell.
        byte: usize,
    },
    /// The header line is longer than [`MAX_LINE_BYTES`].
    HeaderTooLong {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
    },
    /// A quoted header cell is broken.
    HeaderQuote {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
        /// 1-based column where the quote opened.
        column: usize,
        /// What is wrong.
        error: QuoteError,
    },
    /// The header is not comma-separated cohort CSV at all.
    HeaderHint {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
        /// What it looks like instead.
        hint: HeaderHint,
    },
    /// Missing, unknown or repeated columns: the input's name, the header's
    /// physical line and the problems.
    Header(String, u64, vsend_core::HeaderErrors),
    /// The framework file (named) could not be used, and why.
    Framework(String, FrameworkCause),
}

/// The most bytes a framework file may have: a framework is a few KiB, and
/// reading at most this and a byte makes `--framework /dev/zero` stop at once.
pub const MAX_FRAMEWORK_BYTES: u64 = 1 << 20;

/// Why a framework file could not be used.
#[derive(Debug)]
pub enum FrameworkCause {
    /// It could not be read.
    Unreadable(io::Error),
    /// It is over [`MAX_FRAMEWORK_BYTES`].
    TooLarge,
    /// It is not UTF-8 text.
    NotUtf8,
    /// It breaks the rules of §2 (each problem a line of its own).
    Invalid(vsend_core::FrameworkError),
}

impl fmt::Display for FrameworkCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameworkCause::Unreadable(e) => e.fmt(f),
            FrameworkCause::TooLarge => write!(
                f,
                "larger than 1 MiB; allowed at most {MAX_FRAMEWORK_BYTES} bytes (a framework is a few KiB)"
            ),
            FrameworkCause::NotUtf8 => f.write_str("not valid UTF-8"),
            FrameworkCause::Invalid(e) => e.fmt(f),
        }
    }
}

/// Loads the framework file at `path` (§2): at most [`MAX_FRAMEWORK_BYTES`],
/// UTF-8, and valid, else a [`FileError::Framework`] saying which.
pub fn load_framework(path: &Path) -> Result<vsend_core::Framework, FileError> {
    let name = path.display().to_string();
    let bad = |cause| FileError::Framework(name.clone(), cause);
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_FRAMEWORK_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| bad(FrameworkCause::Unreadable(e)))?;
    if bytes.len() as u64 > MAX_FRAMEWORK_BYTES {
        return Err(bad(FrameworkCause::TooLarge));
    }
    let text = String::from_utf8(bytes).map_err(|_| bad(FrameworkCause::NotUtf8))?;
    vsend_core::Framework::from_json(&text).map_err(|e| bad(FrameworkCause::Invalid(e)))
}

impl FileError {
    /// Each problem of the error as a line of its own, in the order to show
    /// them: a missing column first, as the likeliest mistake.
    pub fn lines(&self) -> Vec<String> {
        match self {
            FileError::Header(name, line, errors) => {
                let mut sorted: Vec<&vsend_core::HeaderError> = errors.0.iter().collect();
                sorted.sort_by_key(|e| !matches!(e, vsend_core::HeaderError::Missing(_)));
                sorted
                    .iter()
                    .map(|e| format!("{name}:{line}: {e}"))
                    .collect()
            }
            FileError::Framework(
                name,
                FrameworkCause::Invalid(vsend_core::FrameworkError::Invalid(problems)),
            ) => problems
                .iter()
                .map(|p| format!("{name}: bad framework: {p}"))
                .collect(),
            FileError::Framework(name, cause) => cause
                .to_string()
                .lines()
                .map(|l| format!("{name}: bad framework: {l}"))
                .collect(),
            other => vec![other.to_string()],
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound(p) => write!(f, "{}: no such file", p.display()),
            FileError::IsDirectory(p) => {
                write!(f, "{}: is a directory; expected a .csv, .jsonl or .xlsx file", p.display())
            }
            FileError::UnknownFormat(p) => write!(
                f,
                "{}: unknown input format; allowed extensions .csv, .jsonl, .xlsx (or - for CSV on stdin)",
                p.display()
            ),
            FileError::Io(name, e) => write!(f, "{name}: {e}"),
            FileError::Workbook(e) => e.fmt(f),
            FileError::Empty(name) => write!(f, "{name}:1: the file is empty; expected a header row"),
            FileError::EmptyJsonl(name) => write!(
                f,
                "{name}:1: the file is empty (no line holds a record); expected one JSON object per line"
            ),
            FileError::HeaderNotUtf8 {
                name,
                line,
                column,
                byte,
            } => write!(
                f,
                "{name}:{line}: header column {column} is not valid UTF-8 (byte {byte} of the cell); save the file as UTF-8"
            ),
            FileError::HeaderTooLong { name, line } => write!(
                f,
                "{name}:{line}: the header line is longer than 1 MiB (no line end in its first {} bytes, the most allowed per line); is this a cohort CSV file?",
                thousands(MAX_LINE_BYTES as u64)
            ),
            FileError::HeaderQuote {
                name,
                line,
                column,
                error,
            } => write!(f, "{name}:{line}: header column {column}: {}", error.describe()),
            FileError::HeaderHint { name, line, hint } => match hint {
                HeaderHint::Semicolons => write!(
                    f,
                    "{name}:{line}: the header is one column holding ';' separators; vsend reads comma-separated CSV: save as \"CSV (comma delimited)\""
                ),
                HeaderHint::Tabs => write!(
                    f,
                    "{name}:{line}: the header is one column holding tabs; vsend reads comma-separated CSV: save as \"CSV (comma delimited)\""
                ),
                HeaderHint::Json => write!(
                    f,
                    "{name}:{line}: the first line is a JSON object, not a CSV header; a JSON Lines file must be named .jsonl"
                ),
                HeaderHint::Utf16 => write!(
                    f,
                    "{name}:{line}: the file is UTF-16 text (Excel's \"Unicode Text\", Notepad's \"Unicode\"), not UTF-8; save it as \"CSV UTF-8 (comma delimited)\""
                ),
                HeaderHint::Utf32 => write!(
                    f,
                    "{name}:{line}: the file is UTF-32 text, not UTF-8; save it as \"CSV UTF-8 (comma delimited)\""
                ),
            },
            FileError::Header(..) | FileError::Framework(..) => f.write_str(&self.lines().join("\n")),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io(_, e) => Some(e),
            FileError::Framework(_, FrameworkCause::Unreadable(e)) => Some(e),
            FileError::Framework(_, FrameworkCause::Invalid(e)) => Some(e),
            _ => None,
        }
    }
}

/// `1048576` as `1,048,576`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
