//! The file side of vsend, shared by the `vsend` binary, the Python package
//! and the C interface: none of them reads or writes a file any other way.
//!
//! - [`read`]: cohort and plan files (CSV or JSON Lines, §10 of
//!   `docs/model.md`) in, one accepted value or one rejected row with its
//!   positioned problems per physical line out; `rows read = accepted +
//!   rejected` by construction.
//! - [`intake`]: the one loop that reads rows into whatever takes them (a
//!   cohort, one history per child, a scorer), turning a refusal such as §7's
//!   same-date duplicate into a problem of its row.
//! - [`problem`]: a problem with one record, as data, rendered in the file
//!   format's words only when shown.
//! - [`pipeline`]: scoring a whole input on all cores, in input order, with
//!   §7's same-date duplicates rejected.
//! - [`write`](mod@write): the scored-row encoders (CSV and JSON Lines, §10).
//! - [`xlsx`]: Excel workbooks: a sheet read into the same records as a CSV
//!   file, and tables written as a workbook (`-o OUT.xlsx`).
//! - [`output`]: output files that are never destroyed: checked against the
//!   inputs and each other before any work, written to a temporary file and
//!   renamed only when the whole run succeeds.
//!
//! This crate has no argument parser, no terminal and no process-wide exit:
//! those belong to the binary.

pub mod intake;
pub mod output;
pub mod pipeline;
pub mod problem;
pub mod read;
pub mod write;
pub mod xlsx;
