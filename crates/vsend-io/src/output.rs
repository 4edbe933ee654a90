//! Output files you can trust: checked before any work, written whole or not
//! at all, never over an input, never replacing a device, FIFO or symlink.
//!
//! A run first lists its inputs and outputs in an [`OutputPlan`]. The plan
//! compares them by identity (device and inode on Unix, so `./s.csv`, a hard
//! link or a symlink to the input are caught as well as the same spelling),
//! refuses directories and missing parent directories, and only then opens
//! every output at once with [`OutputPlan::open`]:
//!
//! * `-` (or no path) is standard output, written as the run goes;
//! * anything that is not a regular file (a character or block device such as
//!   `/dev/null`, a FIFO, a socket, a terminal) and the descriptor aliases
//!   under `/dev/` and `/proc/` (`/dev/stdout`, `/dev/fd/3`) are opened and
//!   written directly, never replaced;
//! * a regular file, or a path that does not exist yet, gets a temporary file
//!   `.<name>.vsend-XXXXXX.tmp` beside it (mode 0600 on Unix) that is renamed
//!   over it on commit. A symlink is followed to the file it names (also when
//!   that file does not exist yet): the temporary file goes beside the final
//!   target and replaces it, so the link stays a link.
//!
//! Nothing is renamed until [`commit_all`] (or [`commit_ready`]) at the end of
//! a successful run; dropping an [`Output`] removes its temporary file. Every
//! live temporary file is listed in one process-wide registry, and
//! [`remove_all_temps`] removes them all, for a binary that catches SIGINT,
//! SIGTERM or SIGHUP (the `vsend` binary does, and exits with 128 + the
//! signal number).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

const BUFFER: usize = 1 << 16;
/// How standard output is named in messages.
const STDOUT: &str = "<stdout>";
/// Symlinks followed before giving up, as the kernel does.
const MAX_LINKS: usize = 40;

// ---------------------------------------------------------------------------
// The registry of live temporary files.

/// The live temporary files, and whether a run's outputs were committed.
#[derive(Debug)]
pub struct Registry {
    next: u64,
    live: BTreeMap<u64, PathBuf>,
    committed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    live: BTreeMap::new(),
    committed: false,
});

/// Set once anything has been written to stdout or a device: that cannot be
/// taken back, and messages about a failed run say so.
static STREAMED: AtomicBool = AtomicBool::new(false);

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// The temporary files not yet committed or removed, for tests and messages.
pub fn live_temps() -> Vec<PathBuf> {
    registry().live.values().cloned().collect()
}

/// Whether anything has been written to stdout, a device or a FIFO, which a
/// failed run cannot take back.
pub fn streamed() -> bool {
    STREAMED.load(Ordering::Relaxed)
}

/// A registered temporary file: removed and unregistered when dropped.
#[derive(Debug)]
struct Temp {
    id: u64,
    path: Option<tempfile::TempPath>,
}

impl Temp {
    /// Creates `.<name>.vsend-XXXXXX.tmp` beside `target`, registered before
    /// a signal can see it missing from the registry.
    fn create(target: &Path) -> io::Result<(File, Temp)> {
        let mut name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Leave room for the prefix and suffix within a 255-byte file name.
        while name.len() > 200 {
            name.pop();
        }
        let mut reg = registry();
        let (file, path) = tempfile::Builder::new()
            .prefix(&format!(".{name}.vsend-"))
            .suffix(".tmp")
            .tempfile_in(parent_dir(target))?
            .into_parts();
        let id = reg.next;
        reg.next += 1;
        reg.live.insert(id, path.to_path_buf());
        Ok((
            file,
            Temp {
                id,
                path: Some(path),
            },
        ))
    }

    /// Renames the file over `target`; the caller holds the registry.
    fn persist(mut self, reg: &mut Registry, target: &Path) -> io::Result<()> {
        let path = self.path.take().expect("a temp is persisted once");
        reg.live.remove(&self.id);
        // On failure the error owns the path and removes the file when dropped.
        path.persist(target).map_err(|e| e.error)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let mut reg = registry();
            reg.live.remove(&self.id);
            drop(path);
        }
    }
}

/// What was done when a run was stopped: every live temporary file removed
/// by [`remove_all_temps`]. Holds the registry while it lives, so no output
/// is committed after it: keep it until the process exits.
#[derive(Debug)]
pub struct Stopped {
    _registry: MutexGuard<'static, Registry>,
    /// Whether the run's outputs had been committed already.
    pub committed: bool,
    /// Whether anything went to stdout, a device or a FIFO (see [`streamed`]).
    pub streamed: bool,
}

/// Removes every live temporary file, for a process about to exit on a
/// signal: nothing is committed while the returned [`Stopped`] lives.
pub fn remove_all_temps() -> Stopped {
    let mut reg = registry();
    for path in std::mem::take(&mut reg.live).into_values() {
        let _ = fs::remove_file(path);
    }
    Stopped {
        committed: reg.committed,
        streamed: streamed(),
        _registry: reg,
    }
}

// ---------------------------------------------------------------------------
// Identities.

/// What a path is, for telling whether two paths are one file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// Standard output.
    Stdout,
    /// An existing file: device and inode (off Unix, its canonical path).
    Node(NodeId),
    /// A file not created yet: its directory and name.
    New(NodeId, OsString),
}

#[cfg(unix)]
type NodeId = (u64, u64);
#[cfg(not(unix))]
type NodeId = PathBuf;

#[cfg(unix)]
fn node_id(_path: &Path, meta: &fs::Metadata) -> NodeId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn node_id(path: &Path, _meta: &fs::Metadata) -> NodeId {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Standard output, known by the file behind descriptor 1 when there is one,
/// so that `vsend score s.csv >> s.csv` or `1<>s.csv` is caught like `-o s.csv`.
fn stdout_key() -> (Key, bool, How) {
    match stdout_metadata() {
        Some(meta) => (
            Key::Node(node_id(Path::new("/dev/stdout"), &meta)),
            shareable(&meta),
            How::Stdout,
        ),
        None => (Key::Stdout, false, How::Stdout),
    }
}

/// The metadata of the file open as standard output (fstat of descriptor 1).
#[cfg(unix)]
fn stdout_metadata() -> Option<fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdout_metadata() -> Option<fs::Metadata> {
    None
}

#[cfg(unix)]
fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// Character devices (`/dev/null`, a terminal) may take several outputs.
fn shareable(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Follows `path` while it is a symlink, to the path of the file it names,
/// which need not exist.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N` and the like: written
/// through, as a shell redirection expects, even when they lead to a file.
fn descriptor_alias(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

fn ends_in_separator(path: &Path) -> bool {
    let s = path.as_os_str().to_string_lossy();
    s.ends_with('/') || (cfg!(windows) && s.ends_with('\\'))
}

// ---------------------------------------------------------------------------
// Errors.

/// Why an output cannot be used: a usage error, found before any work.
#[derive(Debug)]
pub struct OutputError {
    /// The option naming the output, e.g. `-o` or `--errors`.
    pub label: String,
    /// The path as given.
    pub path: String,
    /// What is wrong.
    pub why: Why,
}

/// What is wrong with an output.
#[derive(Debug)]
pub enum Why {
    /// The path is a directory.
    IsDirectory,
    /// The path ends in `/`, naming a directory.
    DirectoryPath,
    /// The directory to write in does not exist.
    NoDirectory(PathBuf),
    /// Where a directory was expected there is something else.
    NotADirectory(PathBuf),
    /// The path is an input file (named as given).
    IsInput(String),
    /// The path is another output (option and path as given).
    IsOutput(String, String),
    /// Creating or opening failed.
    Io(io::Error),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (label, path) = (&self.label, &self.path);
        if path == STDOUT || path == "-" {
            // Standard output was not named on the command line: say what it is.
            if let Why::IsInput(input) = &self.why {
                return write!(
                    f,
                    "standard output is the input {input}; refusing to overwrite an input (nothing written); redirect it to another file or give -o"
                );
            }
        }
        match &self.why {
            Why::IsDirectory => write!(f, "{label} {path}: is a directory; expected a file"),
            Why::DirectoryPath => write!(f, "{label} {path}: names a directory; expected a file"),
            Why::NoDirectory(d) => write!(
                f,
                "{label} {path}: directory {} does not exist",
                d.display()
            ),
            Why::NotADirectory(d) => {
                write!(f, "{label} {path}: {} is not a directory", d.display())
            }
            Why::IsInput(input) => write!(
                f,
                "{label} {path}: is the input {input}; refusing to overwrite an input (nothing written)"
            ),
            Why::IsOutput(other, other_path) => write!(
                f,
                "{label} {path}: is the same file as {other} {other_path}; give each output its own file (nothing written)"
            ),
            Why::Io(e) => write!(f, "{label} {path}: cannot write there: {e}"),
        }
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.why {
            Why::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<OutputError> for io::Error {
    fn from(e: OutputError) -> io::Error {
        let kind = match &e.why {
            Why::Io(io) => io.kind(),
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e)
    }
}

// ---------------------------------------------------------------------------
// The plan.

#[derive(Debug)]
enum How {
    Stdout,
    /// Opened and written as it is: a device, FIFO, socket or descriptor alias.
    Direct {
        path: PathBuf,
        append: bool,
    },
    /// A temporary file beside `target`, renamed over it on commit.
    Replace {
        target: PathBuf,
    },
}

#[derive(Debug)]
struct Planned {
    label: String,
    shown: String,
    key: Key,
    shareable: bool,
    how: How,
}

/// Which output of a plan: hand it to [`Outputs::take`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(usize);

/// A run's inputs and outputs, checked against each other before any work.
#[derive(Debug, Default)]
pub struct OutputPlan {
    inputs: Vec<(String, Key, bool)>,
    outputs: Vec<Planned>,
}

impl OutputPlan {
    /// An empty plan.
    pub fn new() -> OutputPlan {
        OutputPlan::default()
    }

    /// Adds an input (`-` is stdin). An input that cannot be read is left for
    /// the reader to report; here it only guards the outputs.
    pub fn input(&mut self, path: &Path) -> &mut OutputPlan {
        let (shown, meta_path) = if path == Path::new("-") {
            // `vsend score - < s.csv -o s.csv`: stdin's file is guarded too.
            ("<stdin>".to_owned(), Path::new("/dev/stdin"))
        } else {
            (path.display().to_string(), path)
        };
        if let Ok(meta) = fs::metadata(meta_path) {
            if path != Path::new("-") || meta.is_file() {
                let key = Key::Node(node_id(meta_path, &meta));
                self.inputs.push((shown, key, shareable(&meta)));
            }
        }
        self
    }

    /// Adds an output: `None` or `-` is stdout. Fails when it is a directory,
    /// its directory is missing, or it is an input or an earlier output.
    pub fn output(&mut self, label: &str, path: Option<&Path>) -> Result<Slot, OutputError> {
        let shown = match path {
            None => STDOUT.to_owned(),
            Some(p) => p.display().to_string(),
        };
        let error = |why| OutputError {
            label: label.to_owned(),
            path: shown.clone(),
            why,
        };
        let (key, shared, how) = match path {
            None => stdout_key(),
            Some(p) if p == Path::new("-") => stdout_key(),
            Some(p) => classify(p).map_err(error)?,
        };
        for (input, input_key, input_shared) in &self.inputs {
            if *input_key == key && !(shared && *input_shared) {
                return Err(error(Why::IsInput(input.clone())));
            }
        }
        for other in &self.outputs {
            if other.key == key && !(shared && other.shareable) {
                return Err(error(Why::IsOutput(
                    other.label.clone(),
                    other.shown.clone(),
                )));
            }
        }
        self.outputs.push(Planned {
            label: label.to_owned(),
            shown,
            key,
            shareable: shared,
            how,
        });
        Ok(Slot(self.outputs.len() - 1))
    }

    /// Adds an output directory (created later if missing): fails, before any
    /// work, when the path or its nearest existing ancestor is not a
    /// directory, or when vsend cannot create a file there.
    pub fn directory(&mut self, label: &str, path: &Path) -> Result<(), OutputError> {
        let error = |why| OutputError {
            label: label.to_owned(),
            path: path.display().to_string(),
            why,
        };
        // The directory itself, or the one it will be created in.
        let mut existing = path;
        let meta = loop {
            match fs::metadata(existing) {
                Ok(m) => break m,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    match existing.parent() {
                        Some(up) if !up.as_os_str().is_empty() => existing = up,
                        _ => {
                            existing = Path::new(".");
                            break fs::metadata(existing).map_err(|e| error(Why::Io(e)))?;
                        }
                    }
                }
                Err(e) => return Err(error(Why::Io(e))),
            }
        };
        if !meta.is_dir() {
            return Err(error(Why::NotADirectory(existing.to_path_buf())));
        }
        // Permission bits do not tell (root, ACLs, read-only mounts): try it.
        tempfile::Builder::new()
            .prefix(".vsend-check-")
            .tempfile_in(existing)
            .map(drop)
            .map_err(|e| error(Why::Io(e)))
    }

    /// Opens every output, in the order added: temporary files are created,
    /// devices and FIFOs opened (a FIFO waits for its reader). On failure the
    /// outputs already opened are dropped, removing their temporary files.
    pub fn open(self) -> Result<Outputs, OutputError> {
        let mut opened = Vec::with_capacity(self.outputs.len());
        for planned in self.outputs {
            let error = |e| OutputError {
                label: planned.label.clone(),
                path: planned.shown.clone(),
                why: Why::Io(e),
            };
            let sink = match &planned.how {
                How::Stdout => Sink::Stdout(BufWriter::with_capacity(BUFFER, io::stdout())),
                #[cfg(unix)]
                How::Direct { path, .. } if is_socket(path) => {
                    // A Unix socket cannot be opened as a file: connect to it.
                    let stream = std::os::unix::net::UnixStream::connect(path).map_err(error)?;
                    Sink::Socket(BufWriter::with_capacity(BUFFER, stream))
                }
                How::Direct { path, append } => {
                    let file = OpenOptions::new()
                        .write(true)
                        .append(*append)
                        .open(path)
                        .map_err(error)?;
                    Sink::Direct(BufWriter::with_capacity(BUFFER, file))
                }
                How::Replace { target } => Sink::temp(target).map_err(error)?,
            };
            opened.push(Some(Output {
                name: planned.shown,
                sink,
            }));
        }
        Ok(Outputs(opened))
    }
}

/// What a path given as an output is, and how to write it.
fn classify(path: &Path) -> Result<(Key, bool, How), Why> {
    if ends_in_separator(path) {
        return Err(match fs::metadata(path) {
            Ok(m) if m.is_dir() => Why::IsDirectory,
            _ => Why::DirectoryPath,
        });
    }
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Why::IsDirectory),
        Ok(m) if !m.is_file() || descriptor_alias(path) => Ok((
            Key::Node(node_id(path, &m)),
            shareable(&m),
            How::Direct {
                path: path.to_path_buf(),
                append: m.is_file(),
            },
        )),
        Ok(m) => {
            let target = follow_links(path).map_err(Why::Io)?;
            Ok((Key::Node(node_id(path, &m)), false, How::Replace { target }))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Missing, or a dangling symlink: the file it names is created.
            let target = follow_links(path).map_err(Why::Io)?;
            let dir = parent_dir(&target);
            let dir_meta = match fs::metadata(dir) {
                Ok(m) if m.is_dir() => m,
                Ok(_) => return Err(Why::NotADirectory(dir.to_path_buf())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(Why::NoDirectory(dir.to_path_buf()))
                }
                Err(e) => return Err(Why::Io(e)),
            };
            let name = target.file_name().map(OsString::from).unwrap_or_default();
            Ok((
                Key::New(node_id(dir, &dir_meta), name),
                false,
                How::Replace { target },
            ))
        }
        Err(e) => Err(Why::Io(e)),
    }
}

/// The outputs of a plan, opened and not yet committed.
#[derive(Debug)]
pub struct Outputs(Vec<Option<Output>>);

impl Outputs {
    /// Takes one output out to write to.
    ///
    /// # Panics
    /// When the slot was taken already.
    pub fn take(&mut self, slot: Slot) -> Output {
        self.0[slot.0].take().expect("each output is taken once")
    }
}

// ---------------------------------------------------------------------------
// Writing and committing.

/// A temporary file that will replace a file: the kernel is asked to start
/// writing its pages to disk as they come, every [`Early::STEP`] bytes,
/// rather than all at the commit.
///
/// ext4 writes out a file renamed over another at the rename itself
/// (`auto_da_alloc`), so that a crash cannot leave an empty file where the
/// old one was; for `vsend score` at 1 M rows (200 MB out) that was a serial
/// 100 ms at the end of a 0.56 s run. Started early, on the thread that
/// writes, the work overlaps the scoring of the next rows. A new file has no
/// such flush at its rename, so it is left to the kernel. This is advice
/// only: nothing is waited for, and an error changes nothing.
#[derive(Debug)]
struct Early {
    inner: BufWriter<File>,
    /// Whether to ask at all: the rename will replace a file.
    replaces: bool,
    /// Bytes given to the writer.
    written: u64,
    /// Bytes the kernel was asked to start writing out.
    started: u64,
}

impl Early {
    /// How much is handed to the kernel between two requests.
    const STEP: u64 = 2 << 20;

    fn new(inner: BufWriter<File>, replaces: bool) -> Self {
        Early {
            inner,
            replaces,
            written: 0,
            started: 0,
        }
    }

    /// Notes `n` more bytes given to the writer, and asks for what the
    /// buffer has handed to the file since the last request, once a step.
    fn wrote(&mut self, n: usize) {
        self.written += n as u64;
        // What the buffer still holds is not in the file yet.
        let handed = self.written - self.inner.buffer().len() as u64;
        if self.replaces && handed - self.started >= Self::STEP {
            #[cfg(target_os = "linux")]
            {
                // POSIX_FADV_DONTNEED starts writeback of the range's dirty
                // pages (and drops them from the cache once written).
                let len = std::num::NonZeroU64::new(handed - self.started);
                let advice = rustix::fs::Advice::DontNeed;
                let _ = rustix::fs::fadvise(self.inner.get_ref(), self.started, len, advice);
            }
            self.started = handed;
        }
    }
}

impl Write for Early {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.wrote(n);
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.wrote(buf.len());
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Debug)]
enum Sink {
    Stdout(BufWriter<io::Stdout>),
    Direct(BufWriter<File>),
    #[cfg(unix)]
    Socket(BufWriter<std::os::unix::net::UnixStream>),
    Temp {
        file: Early,
        temp: Temp,
        target: PathBuf,
    },
}

impl Sink {
    /// A temporary file beside `target`, to replace it on commit.
    fn temp(target: &Path) -> io::Result<Sink> {
        let (file, temp) = Temp::create(target)?;
        Ok(Sink::Temp {
            // Only a rename over a file makes ext4 write at the rename.
            file: Early::new(BufWriter::with_capacity(BUFFER, file), target.exists()),
            temp,
            target: target.to_path_buf(),
        })
    }
}

/// One output being written: stdout, a device or FIFO written directly, or a
/// temporary file that replaces its target only on commit.
#[derive(Debug)]
pub struct Output {
    name: String,
    sink: Sink,
}

/// An output written in full and closed, waiting for [`commit_ready`].
#[derive(Debug)]
pub struct Ready(Option<(String, Temp, PathBuf)>);

fn named(name: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{name}: {e}"))
}

impl Output {
    /// One output on its own, checked and opened as by a plan with no inputs:
    /// stdout when `None` or `-`.
    pub fn create(path: Option<&Path>) -> io::Result<Output> {
        let mut plan = OutputPlan::new();
        let slot = plan.output("output", path)?;
        Ok(plan.open()?.take(slot))
    }

    /// Creates one file of an output directory (`charts --out-dir`, `packs
    /// -o`): as [`Output::create`], except that a symbolic link there is
    /// replaced itself, never written through. Which files a directory gets
    /// is known only once the input is read, so they cannot be checked
    /// against the inputs before the run as `-o` is; a link planted in the
    /// directory, pointing at the input or anywhere else, is thus never
    /// followed. Anything else there that is not a regular file (a FIFO, a
    /// device) is an error, never written into.
    pub fn create_in_directory(path: &Path) -> io::Result<Output> {
        match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => Ok(Output {
                name: path.display().to_string(),
                sink: Sink::temp(path)?,
            }),
            // A FIFO or device here would be written into (a FIFO waiting for
            // a reader forever): a directory of pictures holds files only.
            Ok(m) if !m.is_file() => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is not a regular file (a FIFO, device, socket or directory); a file of the output directory would replace it, so it is left alone",
            )),
            _ => Output::create(Some(path)),
        }
    }

    /// The output's name as given (`<stdout>` for stdout).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Flushes, and closes a temporary file, without renaming it yet.
    pub fn finish(self) -> io::Result<Ready> {
        let name = self.name;
        match self.sink {
            Sink::Stdout(mut w) => w.flush().map(|()| Ready(None)),
            Sink::Direct(mut w) => w.flush().map(|()| Ready(None)),
            #[cfg(unix)]
            Sink::Socket(mut w) => w.flush().map(|()| Ready(None)),
            // Closing the file here keeps descriptors few when many outputs wait.
            // No fsync: the rename gives atomicity for a failed run; durability across
            // power loss is left to the filesystem (ext4 flushes rename-replaced data).
            // An fsync here cost ~20% of `vsend score` end to end (40 MB for 200k rows).
            Sink::Temp { file, temp, target } => {
                let file = file.inner.into_inner().map_err(|e| e.into_error())?;
                drop(file);
                Ok(Ready(Some((name, temp, target))))
            }
        }
    }

    /// Flushes and commits this output alone.
    pub fn commit(self) -> io::Result<()> {
        commit_all(vec![self])
    }

    fn mark_streamed(&self, buf: &[u8]) {
        if !buf.is_empty() && !matches!(self.sink, Sink::Temp { .. }) {
            STREAMED.store(true, Ordering::Relaxed);
        }
    }
}

/// Finishes every output, then renames every temporary file over its target:
/// if any output fails to finish, nothing is renamed. Errors name the output.
pub fn commit_all(outputs: impl IntoIterator<Item = Output>) -> io::Result<()> {
    let mut ready = Vec::new();
    for output in outputs {
        let name = output.name().to_owned();
        ready.push(output.finish().map_err(|e| named(&name, e))?);
    }
    commit_ready(ready)
}

/// Renames every finished temporary file over its target, holding the
/// registry so that a signal cannot interleave with the renames. Errors name
/// the output.
pub fn commit_ready(ready: impl IntoIterator<Item = Ready>) -> io::Result<()> {
    let mut result = Ok(());
    let mut leftovers = Vec::new();
    {
        let mut reg = registry();
        for Ready(item) in ready {
            let Some((name, temp, target)) = item else {
                continue;
            };
            if result.is_err() {
                leftovers.push(temp);
            } else if let Err(e) = temp.persist(&mut reg, &target) {
                result = Err(named(&name, e));
            }
        }
        if result.is_ok() {
            reg.committed = true;
        }
    }
    // Removed outside the registry lock, which their drop takes.
    drop(leftovers);
    result
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.mark_streamed(buf);
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
            #[cfg(unix)]
            Sink::Socket(w) => w.write(buf),
            Sink::Temp { file, .. } => file.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.mark_streamed(buf);
        match &mut self.sink {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::Direct(w) => w.write_all(buf),
            #[cfg(unix)]
            Sink::Socket(w) => w.write_all(buf),
            Sink::Temp { file, .. } => file.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            #[cfg(unix)]
            Sink::Socket(w) => w.flush(),
            Sink::Temp { file, .. } => file.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_replaces_another_is_handed_to_the_disk_as_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let step = Early::STEP;
        let chunk = vec![b'x'; 1 << 20];
        for replaces in [true, false] {
            let file = File::create(dir.path().join(format!("{replaces}"))).unwrap();
            let mut early = Early::new(BufWriter::with_capacity(BUFFER, file), replaces);
            for _ in 0..5 * step / chunk.len() as u64 {
                early.write_all(&chunk).unwrap();
            }
            assert_eq!(early.written, 5 * step);
            // Asked at every step, up to what the buffer had handed over.
            let asked = if replaces { 4 * step..=5 * step } else { 0..=0 };
            assert!(
                asked.contains(&early.started),
                "{replaces}: {}",
                early.started
            );
            early.flush().unwrap();
            let len = early.inner.get_ref().metadata().unwrap().len();
            assert_eq!(len, 5 * step);
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn outputs_are_compared_with_inputs_and_each_other_by_identity() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        fs::write(&input, "x").unwrap();
        fs::hard_link(&input, dir.path().join("hard.csv")).unwrap();
        let mut plan = OutputPlan::new();
        plan.input(&input);
        let e = plan
            .output("-o", Some(&dir.path().join("hard.csv")))
            .unwrap_err();
        assert!(matches!(e.why, Why::IsInput(_)), "{e}");
        let a = dir.path().join("a.csv");
        plan.output("-o", Some(&a)).unwrap();
        let again = dir.path().join(".").join("a.csv");
        let e = plan.output("--errors", Some(&again)).unwrap_err();
        assert!(matches!(e.why, Why::IsOutput(..)), "{e}");
        assert_eq!(
            names(dir.path()),
            ["hard.csv", "in.csv"],
            "nothing opened yet"
        );
    }

    #[test]
    fn all_outputs_are_renamed_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        fs::write(&a, "old a").unwrap();
        let mut plan = OutputPlan::new();
        let (sa, sb) = (
            plan.output("-o", Some(&a)).unwrap(),
            plan.output("--errors", Some(&b)).unwrap(),
        );
        let mut outputs = plan.open().unwrap();
        let (mut oa, mut ob) = (outputs.take(sa), outputs.take(sb));
        oa.write_all(b"new a").unwrap();
        ob.write_all(b"new b").unwrap();
        let temps = names(dir.path());
        assert_eq!(temps.len(), 3, "{temps:?}");
        assert!(temps[0].starts_with(".a.csv.vsend-") && temps[0].ends_with(".tmp"));
        assert!(temps[1].starts_with(".b.csv.vsend-") && temps[1].ends_with(".tmp"));
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        let mine = |live: Vec<PathBuf>| live.iter().filter(|p| p.starts_with(dir.path())).count();
        assert_eq!(mine(live_temps()), 2, "both temps registered");
        commit_all([oa, ob]).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(names(dir.path()), ["a.csv", "b.csv"]);
        assert_eq!(mine(live_temps()), 0, "nothing left registered");

        // A failed run: dropped outputs leave the old files and no temp.
        let mut plan = OutputPlan::new();
        let sa = plan.output("-o", Some(&a)).unwrap();
        plan.output("--errors", Some(&dir.path().join("c.csv")))
            .unwrap();
        let mut outputs = plan.open().unwrap();
        outputs.take(sa).write_all(b"newer a").unwrap();
        drop(outputs);
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(names(dir.path()), ["a.csv", "b.csv"]);
    }
}
