//! Charts for vsend: the three-line radar and change-over-time pictures.
//!
//! Not built yet; see the project's issue tracker.
