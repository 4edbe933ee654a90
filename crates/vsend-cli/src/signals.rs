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
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
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
