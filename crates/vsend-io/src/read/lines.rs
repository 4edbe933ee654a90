//! Physical lines, whatever their ends (LF, CRLF, a lone CR), each at most `MAX_LINE_BYTES` and never held whole when longer.

use super::*;

/// Gives back most of a reused buffer's memory when it holds far less than it could.
pub(super) fn shrink<T>(buffer: &mut Vec<T>) {
    let bytes = buffer.capacity() * std::mem::size_of::<T>();
    if bytes > KEEP_CAPACITY && buffer.len() < buffer.capacity() / 4 {
        buffer.shrink_to(buffer.len());
    }
}

/// A reader that retries reads interrupted by a signal.
pub(super) struct Retry<'a>(pub(super) Box<dyn Read + Send + 'a>);

impl Read for Retry<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => return result,
            }
        }
    }
}

/// What [`LineReader::next_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// The end of the input.
    Eof,
    /// A whole line, without its line end.
    Line,
    /// A line longer than [`MAX_LINE_BYTES`], left part-read: skip it with
    /// [`LineReader::skip_line`] or stop reading.
    TooLong,
}

/// Reads physical lines ended by LF, CRLF or a lone CR, counting them and the
/// bytes consumed. A UTF-8 BOM at the start of the input is dropped.
pub(super) struct LineReader<'a> {
    pub(super) inner: BufReader<Retry<'a>>,
    /// Lines completed so far: the 1-based number of the last line read.
    pub(super) line: u64,
    /// Bytes consumed so far.
    pub(super) bytes: u64,
    /// The last line ended with CR: an LF straight after it belongs to it.
    pub(super) after_cr: bool,
    /// Bytes read so far of a too-long line.
    pub(super) overflow: u64,
}

/// What one look at the read buffer gave.
pub(super) enum Scan {
    /// A line end at this offset of the buffer.
    End(usize),
    /// No line end: all of these bytes belong to the line.
    More(usize),
    /// The line would pass the limit.
    TooLong,
    /// The input is over.
    Eof,
}

impl<'a> LineReader<'a> {
    pub(super) fn new(reader: Box<dyn Read + Send + 'a>) -> LineReader<'a> {
        LineReader {
            inner: BufReader::with_capacity(READ_BUFFER, Retry(reader)),
            line: 0,
            bytes: 0,
            after_cr: false,
            overflow: 0,
        }
    }

    /// The number of the last line read.
    pub(super) fn line(&self) -> u64 {
        self.line
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.bytes += n as u64;
    }

    /// Looks at the buffered input, first dropping the LF of a CRLF split across reads.
    pub(super) fn scan(&mut self, room: usize) -> io::Result<Scan> {
        if self.after_cr {
            let avail = self.inner.fill_buf()?;
            if avail.first() == Some(&b'\n') {
                self.consume(1);
            }
            self.after_cr = false;
        }
        let avail = self.inner.fill_buf()?;
        if avail.is_empty() {
            return Ok(Scan::Eof);
        }
        Ok(match memchr::memchr2(b'\n', b'\r', avail) {
            Some(i) if i <= room => Scan::End(i),
            None if avail.len() <= room => Scan::More(avail.len()),
            _ => Scan::TooLong,
        })
    }

    /// Reads the next line into `buf` (cleared first), without its line end.
    pub(super) fn next_line(&mut self, buf: &mut Vec<u8>) -> io::Result<Next> {
        buf.clear();
        loop {
            match self.scan(MAX_LINE_BYTES - buf.len())? {
                Scan::End(i) => {
                    let avail = self.inner.buffer();
                    buf.extend_from_slice(&avail[..i]);
                    self.after_cr = avail[i] == b'\r';
                    self.consume(i + 1);
                    return Ok(self.finish(buf));
                }
                Scan::More(n) => {
                    buf.extend_from_slice(&self.inner.buffer()[..n]);
                    self.consume(n);
                }
                Scan::TooLong => {
                    self.overflow = buf.len() as u64;
                    buf.clear();
                    return Ok(Next::TooLong);
                }
                Scan::Eof if buf.is_empty() => return Ok(Next::Eof),
                Scan::Eof => return Ok(self.finish(buf)),
            }
        }
    }

    pub(super) fn finish(&mut self, buf: &mut Vec<u8>) -> Next {
        self.line += 1;
        if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
        }
        Next::Line
    }

    /// Reads past the rest of a too-long line without keeping it; its length in bytes.
    pub(super) fn skip_line(&mut self) -> io::Result<u64> {
        let mut length = std::mem::take(&mut self.overflow);
        loop {
            match self.scan(usize::MAX)? {
                Scan::End(i) => {
                    self.after_cr = self.inner.buffer()[i] == b'\r';
                    self.consume(i + 1);
                    length += i as u64;
                    break;
                }
                Scan::More(n) => {
                    self.consume(n);
                    length += n as u64;
                }
                Scan::TooLong => unreachable!("no limit while skipping"),
                Scan::Eof => break,
            }
        }
        self.line += 1;
        Ok(length)
    }
}
