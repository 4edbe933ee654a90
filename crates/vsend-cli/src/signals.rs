//! Ctrl-C, SIGTERM and SIGHUP: remove every unfinished output file and exit
//! with 128 + the signal number (130, 143, 129).

use std::io;

/// Starts a thread that, on SIGINT, SIGTERM or SIGHUP, removes every live
/// temporary file, prints one line and exits with 128 + the signal number.
/// Call once, first thing in `main`. Does nothing off Unix.
pub fn remove_temps_on_signals() -> io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        // A signal the caller set to be ignored stays ignored: `nohup` relies
        // on it for SIGHUP, and a shell runs background jobs of a script with
        // SIGINT ignored.
        let ignored = inherited_ignored();
        let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
            .into_iter()
            .filter(|&s| ignored & (1u64 << (s - 1)) == 0)
            .collect();
        let mut signals = signal_hook::iterator::Signals::new(wanted)?;
        std::thread::Builder::new()
            .name("vsend-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let name = match signal {
                        SIGINT => "SIGINT",
                        SIGTERM => "SIGTERM",
                        SIGHUP => "SIGHUP",
                        _ => "a signal",
                    };
                    interrupted(name, 128 + signal);
                }
            })?;
    }
    Ok(())
}

/// The signals this process was started with set to be ignored, as a mask
/// (bit `n - 1` for signal `n`), from `/proc/self/status`: the one way to
/// ask without unsafe code. Elsewhere (no `/proc`) none is taken as ignored.
#[cfg(unix)]
fn inherited_ignored() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("SigIgn:"))
                .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        })
        .unwrap_or(0)
}

/// Removes every live temporary file and exits with `code`, holding the
/// outputs' registry to the end so that nothing is committed after this starts.
#[cfg(unix)]
fn interrupted(signal: &str, code: i32) -> ! {
    let stopped = vsend_io::output::remove_all_temps();
    let what = if stopped.committed {
        " after its output files were written"
    } else if stopped.streamed {
        "; no output file was written, and what went to stdout or a device is incomplete"
    } else {
        "; no output was written"
    };
    eprintln!("vsend: interrupted by {signal}{what}");
    std::process::exit(code)
}
