//! §7's same-date duplicate rule in its one place, over every child's review
//! dates, in a few bytes a child.
//!
//! A million-row cohort has a quarter of a million children, and every
//! command checks every row against them, so what is kept per child is what
//! the memory of a streaming command is made of. Here a child costs its ID's
//! bytes once (in one arena, not a boxed key each), a slot in a table of
//! ordinals, and its first four review dates as 2-byte day numbers: some 40
//! to 50 bytes, against some 270 for a map of boxed IDs to date lists.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashSet, HashTable};
use jiff::civil::Date;

use crate::ids::ChildId;
use crate::timeline::{day_number, Duplicate};

/// Every child ID seen, each stored once and numbered in first-seen order.
///
/// The IDs' bytes sit one after another in an arena (a length byte, then the
/// ID), so a child costs its ID's length plus one, a 4-byte offset, and in
/// the hash table its 4-byte ordinal and 32 bits of its ID's hash (so that
/// the table grows without reading the arena): no allocation per child,
/// nothing but the bytes themselves. A lookup compares the whole ID, so two
/// IDs whose hashes collide are still two children.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChildIndex<S = DefaultHashBuilder> {
    hasher: S,
    /// Ordinals and their ID's hash, found by that hash.
    table: HashTable<(u32, u32)>,
    /// Each child's offset in `arena`, its low 32 bits.
    offsets: Vec<u32>,
    /// The first ordinal whose offset is at or past 4 GiB × (i + 1): an arena
    /// that large needs some 66 million children, so this stays empty.
    epochs: Vec<u32>,
    arena: Vec<u8>,
    /// The ordinal [`intern`](Self::intern) gave last: a child's reviews
    /// mostly come one after another, and the next of them is found by
    /// comparing its ID with this one's, without hashing it.
    last: Option<u32>,
}

impl<S: BuildHasher> ChildIndex<S> {
    /// The number of children.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len()
    }

    /// The ID of child `ordinal`.
    pub(crate) fn id(&self, ordinal: u32) -> &str {
        let bytes = id_bytes(&self.arena, &self.offsets, &self.epochs, ordinal);
        // Only valid IDs (ASCII, §3) are ever stored.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// 32 bits of `id`'s hash, as kept in the table.
    fn hash(&self, id: &str) -> u32 {
        self.hasher.hash_one(id.as_bytes()) as u32
    }

    /// The ordinal of `id`, if seen.
    pub(crate) fn find(&self, id: &str) -> Option<u32> {
        let hash = self.hash(id);
        let Self {
            table,
            offsets,
            epochs,
            arena,
            ..
        } = self;
        let same = |&(o, h): &(u32, u32)| {
            h == hash && id_bytes(arena, offsets, epochs, o) == id.as_bytes()
        };
        table.find(spread(hash), same).map(|&(o, _)| o)
    }

    /// The ordinal [`intern`](Self::intern) gave last, if it was called.
    pub(crate) fn latest(&self) -> Option<u32> {
        self.last
    }

    /// The ordinal of `id`, numbering it next when not seen before; and
    /// whether it is new.
    pub(crate) fn intern(&mut self, id: &str) -> (u32, bool) {
        if let Some(last) = self.last {
            if id_bytes(&self.arena, &self.offsets, &self.epochs, last) == id.as_bytes() {
                return (last, false);
            }
        }
        let hash = self.hash(id);
        let Self {
            table,
            offsets,
            epochs,
            arena,
            last,
            ..
        } = self;
        let same = |&(o, h): &(u32, u32)| {
            h == hash && id_bytes(arena, offsets, epochs, o) == id.as_bytes()
        };
        let (ordinal, new) = match table.entry(spread(hash), same, |&(_, h)| spread(h)) {
            hashbrown::hash_table::Entry::Occupied(e) => (e.get().0, false),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let ordinal = u32::try_from(offsets.len()).expect("fewer than 2^32 children");
                let at = arena.len() as u64;
                while (at >> 32) as usize > epochs.len() {
                    epochs.push(ordinal);
                }
                offsets.push(at as u32);
                // IDs are at most 64 bytes (§3), so the length fits a byte.
                arena.push(id.len() as u8);
                arena.extend_from_slice(id.as_bytes());
                e.insert((ordinal, hash));
                (ordinal, true)
            }
        };
        *last = Some(ordinal);
        (ordinal, new)
    }

    /// Every ordinal, in ID byte order: what is summed over children is summed
    /// in the same order however the input was ordered.
    pub(crate) fn in_id_order(&self) -> Vec<u32> {
        let mut ordinals: Vec<u32> = (0..self.len() as u32).collect();
        ordinals.sort_unstable_by(|&a, &b| self.id(a).cmp(self.id(b)));
        ordinals
    }
}

/// A 32-bit hash as the table's 64: the low bits pick the bucket and the
/// top seven are the tag hashbrown compares first, so both are the hash's.
fn spread(hash: u32) -> u64 {
    u64::from(hash) | (u64::from(hash) << 32)
}

fn id_bytes<'a>(arena: &'a [u8], offsets: &[u32], epochs: &[u32], ordinal: u32) -> &'a [u8] {
    // Almost always no epoch: the search is over an empty slice.
    let high = epochs.partition_point(|&first| first <= ordinal) as u64;
    let at = ((high << 32) | u64::from(offsets[ordinal as usize])) as usize;
    let len = usize::from(arena[at]);
    &arena[at + 1..at + 1 + len]
}

/// Review dates kept inline per child; more go to the shared overflow set.
const SLOTS: usize = 4;
/// An empty slot.
const EMPTY: u16 = 0;
/// In a slot: the child has dates in the overflow set (besides those inline).
const MORE: u16 = u16::MAX;
/// Day numbers (days since 1970-01-01) plus this are inline codes: 1 is
/// 1900-01-01, `MORE - 1` is 2079-06-04.
const CODE_OFFSET: i32 = 25_568;

/// A date's inline code, when it has one (1900-01-01 to 2079-06-04).
fn code(on: Date) -> Option<u16> {
    let c = day_number(on) + CODE_OFFSET;
    (i32::from(EMPTY) < c && c < i32::from(MORE)).then_some(c as u16)
}

/// A child's date in the overflow set.
fn date_key(ordinal: u32, on: Date) -> u64 {
    (u64::from(ordinal) << 32) | u64::from(day_number(on) as u32)
}

/// The §7 rule's memory: whether a child was already reviewed on a date.
///
/// Of two assessments of one child on one date, the later in input order is
/// rejected: [`add`](Self::add) returns it as a [`Duplicate`] and changes
/// nothing. Every command applies the rule through this one type, directly
/// (`vsend score`, `vsend validate`) or through [`Histories`](crate::Histories)
/// and [`Cohort`](crate::Cohort); histories that keep every review's levels
/// number their children here and find each date among those levels.
///
/// A child costs some 40 to 50 bytes with a short ID: the ID once, and the
/// first four review dates as 2-byte day numbers (1900 to 2079); a fifth
/// review, or a date outside those years, costs some 12 bytes more in a
/// shared set, so one child on a million dates is still checked in constant
/// time a row.
///
/// ```
/// use vsend_core::{parse_date, ChildId, SeenDates};
/// let mut seen = SeenDates::new();
/// let c1 = ChildId::new("C1").unwrap();
/// let on = parse_date("2025-01-10").unwrap();
/// seen.add(&c1, on).unwrap();
/// seen.add(&ChildId::new("C2").unwrap(), on).unwrap();
/// let d = seen.add(&c1, on).unwrap_err();
/// assert_eq!(d.to_string(), "assessed_on: 2025-01-10 repeats an earlier assessment of C1 on the same date; allowed one assessment per child per date");
/// assert_eq!(seen.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct SeenDates {
    children: ChildIndex,
    /// Per child (by ordinal): up to [`SLOTS`] date codes, filled in order.
    inline: Vec<[u16; SLOTS]>,
    /// (ordinal, day number) of every date not kept inline.
    more: HashSet<u64>,
}

impl SeenDates {
    /// No child seen yet.
    pub fn new() -> Self {
        SeenDates::default()
    }

    /// Records that `child` was reviewed on `on`, or rejects it as a
    /// same-date duplicate (§7), changing nothing.
    pub fn add(&mut self, child: &ChildId, on: Date) -> Result<(), Duplicate> {
        self.record(child, on).map(|_| ())
    }

    /// [`add`](Self::add) for the child seen last (by `add`, or by a
    /// history numbering its children here), without the child's ID: a
    /// child's reviews mostly come one after another, and the caller who
    /// knows that a review's child is the previous review's need not read
    /// the ID again. `None`, recording nothing, when no child was seen yet.
    ///
    /// ```
    /// use vsend_core::{parse_date, ChildId, SeenDates};
    /// let mut seen = SeenDates::new();
    /// assert_eq!(seen.add_to_latest(parse_date("2025-01-10").unwrap()), None);
    /// seen.add(&ChildId::new("C1").unwrap(), parse_date("2025-01-10").unwrap()).unwrap();
    /// assert_eq!(seen.add_to_latest(parse_date("2025-05-02").unwrap()), Some(Ok(())));
    /// let d = seen.add_to_latest(parse_date("2025-01-10").unwrap()).unwrap().unwrap_err();
    /// assert_eq!(d.child_id.as_str(), "C1");
    /// ```
    pub fn add_to_latest(&mut self, on: Date) -> Option<Result<(), Duplicate>> {
        let ordinal = self.children.latest()?;
        if self.contains(ordinal, on) {
            let id = self.children.id(ordinal);
            return Some(Err(Duplicate {
                // Only valid IDs are ever stored.
                child_id: ChildId(crate::ids::IdText::new(id)),
                assessed_on: on,
            }));
        }
        self.insert(ordinal, on);
        Some(Ok(()))
    }

    /// [`add`](Self::add), giving the child's ordinal (first-seen order) and
    /// whether the child is new.
    pub(crate) fn record(&mut self, child: &ChildId, on: Date) -> Result<(u32, bool), Duplicate> {
        let (ordinal, new) = self.number(child);
        if self.contains(ordinal, on) {
            return Err(Duplicate {
                child_id: child.clone(),
                assessed_on: on,
            });
        }
        self.insert(ordinal, on);
        Ok((ordinal, new))
    }

    /// Records child `ordinal`'s review on `on`, which
    /// [`contains`](Self::contains) said is not there yet.
    pub(crate) fn insert(&mut self, ordinal: u32, on: Date) {
        let slots = &mut self.inline[ordinal as usize];
        let free = slots.iter().position(|&s| s == EMPTY);
        match (code(on), free) {
            (Some(c), Some(free)) => slots[free] = c,
            (_, free) => {
                self.more.insert(date_key(ordinal, on));
                // Full slots already say "look in the set"; else a marker does.
                if let Some(free) = free.filter(|_| !slots.contains(&MORE)) {
                    slots[free] = MORE;
                }
            }
        }
    }

    /// The ordinal of `child` (first-seen order), numbering it when new, and
    /// whether it is new; no date is recorded. For histories that keep every
    /// date themselves ([`Keep::Levels`](crate::history::Keep::Levels)).
    pub(crate) fn number(&mut self, child: &ChildId) -> (u32, bool) {
        let (ordinal, new) = self.children.intern(child.as_str());
        if new {
            self.inline.push([EMPTY; SLOTS]);
        }
        (ordinal, new)
    }

    /// Whether child `ordinal` was recorded on `on`.
    pub(crate) fn contains(&self, ordinal: u32, on: Date) -> bool {
        let slots = &self.inline[ordinal as usize];
        // Full slots or a MORE marker: some of the child's dates are in the set.
        let overflowed = slots[SLOTS - 1] != EMPTY || slots.contains(&MORE);
        code(on).is_some_and(|c| slots.contains(&c))
            || (overflowed && self.more.contains(&date_key(ordinal, on)))
    }

    /// The number of children seen.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether no child was seen.
    pub fn is_empty(&self) -> bool {
        self.children.len() == 0
    }

    /// The children, numbered in first-seen order.
    pub(crate) fn children(&self) -> &ChildIndex {
        &self.children
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn id(s: &str) -> ChildId {
        ChildId::new(s).unwrap()
    }

    #[test]
    fn codes_cover_1900_to_2079_and_no_more() {
        assert_eq!(code(d("1900-01-01")), Some(1));
        assert_eq!(code(d("1899-12-31")), None);
        assert_eq!(code(d("2079-06-04")), Some(MORE - 1));
        assert_eq!(code(d("2079-06-05")), None);
        assert_eq!(code(d("0000-01-01")), None);
        assert_eq!(code(d("9999-12-31")), None);
    }

    #[test]
    fn every_date_is_checked_inline_out_of_range_and_past_four() {
        let mut seen = SeenDates::new();
        let c1 = id("C1");
        // Inline, out of range (a marker and the set), then past four slots.
        let dates = [
            "2025-01-10",
            "1850-06-01",
            "2024-09-01",
            "9999-12-31",
            "2023-01-01",
            "2022-01-01",
            "0000-03-01",
            "2079-06-04",
        ];
        for (i, on) in dates.iter().enumerate() {
            seen.add(&c1, d(on)).unwrap();
            for earlier in &dates[..=i] {
                let dup = seen.add(&c1, d(earlier)).unwrap_err();
                assert_eq!((dup.child_id.as_str(), dup.assessed_on), ("C1", d(earlier)));
            }
        }
        // The latest child's dates are found without its ID.
        for on in dates {
            let dup = seen.add_to_latest(d(on)).unwrap().unwrap_err();
            assert_eq!(dup, seen.add(&c1, d(on)).unwrap_err());
        }
        // Another child's dates are its own, inline or not.
        let c2 = id("C2");
        for (i, on) in dates.iter().enumerate() {
            match i % 2 {
                0 => seen.add(&c2, d(on)).unwrap(),
                _ => seen.add_to_latest(d(on)).unwrap().unwrap(),
            }
        }
        assert!(seen.add_to_latest(d("1999-01-01")).unwrap().is_ok());
        assert!(seen.add(&c2, d("1999-01-01")).is_err());
        assert!(seen.add(&c1, d("1999-01-01")).is_ok());
        assert_eq!(seen.len(), 2);
        assert!(seen.add(&id("C3"), d("1850-06-01")).is_ok());
    }

    #[test]
    fn ids_are_compared_whole_and_kept_in_id_order() {
        let mut index = ChildIndex::<DefaultHashBuilder>::default();
        let ids = ["b", "a", "ab", "A", "a.b-c_d", &"9".repeat(64)];
        for (i, s) in ids.iter().enumerate() {
            assert_eq!(index.intern(s), (i as u32, true));
        }
        for (i, s) in ids.iter().enumerate() {
            assert_eq!(index.intern(s), (i as u32, false));
            assert_eq!(index.find(s), Some(i as u32));
            assert_eq!(index.id(i as u32), *s);
        }
        assert_eq!(index.find("B"), None);
        let sorted: Vec<&str> = index.in_id_order().iter().map(|&o| index.id(o)).collect();
        let mut want = ids.to_vec();
        want.sort_unstable();
        assert_eq!(sorted, want);
    }

    #[test]
    fn the_last_child_is_found_again_only_by_its_whole_id() {
        let mut index = ChildIndex::<DefaultHashBuilder>::default();
        // Runs of one child, then IDs that start or end alike, then back.
        let ids = [
            "C1", "C1", "C1", "C10", "C10", "C1", "C", "C1", "D1", "D1", "C10",
        ];
        let want = [0, 0, 0, 1, 1, 0, 2, 0, 3, 3, 1];
        let mut seen = std::collections::HashSet::new();
        for (s, want) in ids.iter().zip(want) {
            assert_eq!(index.intern(s), (want, seen.insert(*s)), "{s}");
        }
        assert_eq!(index.len(), 4);
    }

    /// Hashes every ID alike, as if all of them collided.
    #[derive(Default)]
    struct Collide;

    impl BuildHasher for Collide {
        type Hasher = Seven;
        fn build_hasher(&self) -> Seven {
            Seven
        }
    }

    struct Seven;

    impl std::hash::Hasher for Seven {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn the_same_hash_is_still_two_children() {
        let mut index = ChildIndex::<Collide>::default();
        for (i, s) in ["C1", "C2", "C10", "C1.", "c1"].iter().enumerate() {
            assert_eq!(index.intern(s), (i as u32, true));
        }
        assert_eq!(index.intern("C2"), (1, false));
        assert_eq!(index.find("c1"), Some(4));
        assert_eq!(index.find("C3"), None);
    }

    #[test]
    fn a_child_costs_a_few_bytes() {
        assert_eq!(std::mem::size_of::<[u16; SLOTS]>(), 8);
        let mut seen = SeenDates::new();
        for i in 0..10_000 {
            seen.add(&id(&format!("C{i:08}")), d("2025-01-10")).unwrap();
        }
        // Arena, offsets and inline dates: 10 + 4 + 8 bytes a child.
        let dense = seen.children.arena.len() + 4 * seen.len() + 8 * seen.inline.len();
        assert_eq!(dense, 22 * 10_000);
        assert!(seen.more.is_empty());
    }
}
