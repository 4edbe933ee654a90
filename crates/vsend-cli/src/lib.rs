//! The file side of the `vsend` tool: reading cohort files, writing outputs
//! atomically and reporting problems. Every number comes from `vsend-core`.

pub mod output;
pub mod pipeline;
pub mod read;
pub mod report;
pub mod write;
