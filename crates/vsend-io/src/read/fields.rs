//! Splitting one physical CSV line into its cells, quotes and all, without a cell ever spanning lines.

use super::*;

/// The cells of a split line, in order.
pub(super) fn cells_of<'a>(
    buffer: &'a [u8],
    spans: &'a [(u32, u32)],
) -> impl Iterator<Item = &'a [u8]> + 'a {
    spans
        .iter()
        .map(move |&(start, end)| &buffer[start as usize..end as usize])
}

/// Splits one CSV line (at most [`MAX_LINE_BYTES`], so offsets fit `u32`) into
/// its cells: `spans` gets the start and end of each
/// in the buffer returned, the line itself or, when quotes had to be undone,
/// `cells`, where the cells are written one after another.
///
/// Cells are separated by commas. A cell starting with `"` (after any spaces)
/// is quoted up to the closing `"`, with `""` for a quote inside it; spaces
/// around the quotes are dropped, anything else after the closing quote is an
/// error. A quote inside an unquoted cell is kept as it is. Errors give the
/// 0-based column where the quote opened.
pub(super) fn split_fields<'a>(
    line: &'a [u8],
    cells: &'a mut Vec<u8>,
    spans: &mut Vec<(u32, u32)>,
) -> Result<&'a [u8], (usize, QuoteError)> {
    spans.clear();
    // Most lines have no quotes: their cells are slices of the line.
    if memchr::memchr(b'"', line).is_none() {
        let mut start = 0;
        for comma in memchr::memchr_iter(b',', line) {
            spans.push((start, comma as u32));
            start = comma as u32 + 1;
        }
        spans.push((start, line.len() as u32));
        return Ok(line);
    }
    split_quoted(line, cells, spans)?;
    Ok(cells)
}

/// [`split_fields`] for a line with quotes, copying each cell into `cells`.
pub(super) fn split_quoted(
    line: &[u8],
    cells: &mut Vec<u8>,
    spans: &mut Vec<(u32, u32)>,
) -> Result<(), (usize, QuoteError)> {
    cells.clear();
    let mut at = 0;
    loop {
        let column = spans.len();
        let start = cells.len() as u32;
        let mut open = at;
        while matches!(line.get(open), Some(b' ' | b'\t')) {
            open += 1;
        }
        if line.get(open) == Some(&b'"') {
            let mut i = open + 1;
            loop {
                let Some(q) = memchr::memchr(b'"', &line[i..]) else {
                    return Err((column, QuoteError::Open));
                };
                cells.extend_from_slice(&line[i..i + q]);
                i += q + 1;
                if line.get(i) == Some(&b'"') {
                    cells.push(b'"');
                    i += 1;
                } else {
                    break;
                }
            }
            while matches!(line.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            spans.push((start, cells.len() as u32));
            match line.get(i) {
                None => return Ok(()),
                Some(b',') => at = i + 1,
                Some(_) => return Err((column, QuoteError::TextAfter)),
            }
        } else {
            let end = memchr::memchr(b',', &line[at..]).map_or(line.len(), |c| at + c);
            cells.extend_from_slice(&line[at..end]);
            spans.push((start, cells.len() as u32));
            if end == line.len() {
                return Ok(());
            }
            at = end + 1;
        }
    }
}
