//! A child's needs over time: one line per domain across reviews, with the
//! setting's readiness in a second panel.
