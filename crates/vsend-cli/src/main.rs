//! The `vsend` command-line tool (being built).

fn main() {
    eprintln!("vsend: not yet; the CLI lands with the next issue");
}
