//! §1 Domains, and the fixed-size containers that hold one value per domain.

use std::fmt;
use std::ops::{Index, IndexMut};
use std::str::FromStr;

use nalgebra::Vector5;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One of the five areas of need (§1 of `docs/model.md`), in canonical order.
///
/// The order of the variants is the canonical order: radar axes clockwise from
/// 12 o'clock, CSV columns and JSON arrays all follow it.
///
/// ```
/// use vsend_core::Domain;
/// assert_eq!(Domain::ALL[3], Domain::Semh);
/// assert_eq!("semh".parse::<Domain>(), Ok(Domain::Semh));
/// assert_eq!(Domain::Semh.name(), "Social, emotional and mental health");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Domain {
    /// `cl`: Cognition and learning.
    Cl,
    /// `ci`: Communication and interaction.
    Ci,
    /// `sp`: Sensory and physical.
    Sp,
    /// `semh`: Social, emotional and mental health.
    Semh,
    /// `ind`: Independence.
    Ind,
}

impl Domain {
    /// All five domains in canonical order.
    pub const ALL: [Domain; 5] = [
        Domain::Cl,
        Domain::Ci,
        Domain::Sp,
        Domain::Semh,
        Domain::Ind,
    ];

    /// The short key used in files (`cl`, `ci`, `sp`, `semh`, `ind`).
    pub const fn key(self) -> &'static str {
        match self {
            Domain::Cl => "cl",
            Domain::Ci => "ci",
            Domain::Sp => "sp",
            Domain::Semh => "semh",
            Domain::Ind => "ind",
        }
    }

    /// The full name, as shown to people.
    pub const fn name(self) -> &'static str {
        match self {
            Domain::Cl => "Cognition and learning",
            Domain::Ci => "Communication and interaction",
            Domain::Sp => "Sensory and physical",
            Domain::Semh => "Social, emotional and mental health",
            Domain::Ind => "Independence",
        }
    }

    /// Position in canonical order, 0 to 4.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The error returned when a string is not one of the five domain keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not a domain; allowed: cl, ci, sp, semh, ind")]
pub struct UnknownDomain {
    /// The text that was not a domain key.
    pub found: String,
}

impl FromStr for Domain {
    type Err = UnknownDomain;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Domain::ALL
            .into_iter()
            .find(|d| d.key() == s)
            .ok_or_else(|| UnknownDomain {
                found: s.to_owned(),
            })
    }
}

impl Serialize for Domain {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Domain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// One value of type `T` per domain, indexed by [`Domain`].
///
/// Serialises as a JSON object keyed by domain key, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct PerDomain<T>(pub [T; 5]);

impl<T> PerDomain<T> {
    /// Builds a value for each domain from a function of the domain.
    pub fn from_fn(mut f: impl FnMut(Domain) -> T) -> Self {
        PerDomain(Domain::ALL.map(&mut f))
    }

    /// The domains with their values, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (Domain, &T)> {
        Domain::ALL.into_iter().zip(self.0.iter())
    }
}

impl<T> Index<Domain> for PerDomain<T> {
    type Output = T;
    fn index(&self, d: Domain) -> &T {
        &self.0[d.index()]
    }
}

impl<T> IndexMut<Domain> for PerDomain<T> {
    fn index_mut(&mut self, d: Domain) -> &mut T {
        &mut self.0[d.index()]
    }
}

impl<T: Serialize> Serialize for PerDomain<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(5))?;
        for (d, v) in self.iter() {
            map.serialize_entry(d.key(), v)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for PerDomain<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for V<T> {
            type Value = PerDomain<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object keyed by domain (cl, ci, sp, semh, ind)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = PerDomain::<T>::default();
                let mut seen = DomainSet::EMPTY;
                while let Some(key) = map.next_key::<Domain>()? {
                    if seen.contains(key) {
                        return Err(de::Error::custom(format_args!("duplicate domain {key}")));
                    }
                    seen.insert(key);
                    out[key] = map.next_value()?;
                }
                Ok(out)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A set of domains, kept and listed in canonical order.
///
/// Used for the unmet-need lists of §5. Serialises as an array of domain keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct DomainSet(u8);

impl DomainSet {
    /// The empty set.
    pub const EMPTY: DomainSet = DomainSet(0);
    /// All five domains.
    pub const ALL: DomainSet = DomainSet(0b1_1111);

    /// Whether `d` is in the set.
    pub const fn contains(self, d: Domain) -> bool {
        self.0 & (1 << d as u8) != 0
    }

    /// Adds `d` to the set.
    pub fn insert(&mut self, d: Domain) {
        self.0 |= 1 << d as u8;
    }

    /// The number of domains in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set as bits, domain `d` at bit `d.index()`: 0 to 31.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The set of the domains whose bits are set (see [`bits`](Self::bits));
    /// bits above the fifth are ignored.
    pub const fn from_bits(bits: u8) -> DomainSet {
        DomainSet(bits & DomainSet::ALL.0)
    }

    /// The domains in the set, in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Domain> {
        Domain::ALL.into_iter().filter(move |&d| self.contains(d))
    }
}

impl FromIterator<Domain> for DomainSet {
    fn from_iter<I: IntoIterator<Item = Domain>>(iter: I) -> Self {
        let mut set = DomainSet::EMPTY;
        iter.into_iter().for_each(|d| set.insert(d));
        set
    }
}

impl fmt::Display for DomainSet {
    /// `;`-separated keys, the CSV form of §10.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(d.key())?;
        }
        Ok(())
    }
}

impl Serialize for DomainSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for d in self.iter() {
            seq.serialize_element(&d)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for DomainSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DomainSet;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of domain keys")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DomainSet, A::Error> {
                let mut set = DomainSet::EMPTY;
                while let Some(d) = seq.next_element::<Domain>()? {
                    set.insert(d);
                }
                Ok(set)
            }
        }
        d.deserialize_seq(V)
    }
}

/// A number per domain that may be unknown: a fixed 5-vector plus a known-mask.
///
/// Unknown entries hold 0.0 in [`values`](Self::values) so that vector maths
/// stays branch-free; always read through [`get`](Self::get) or the mask.
/// Serialises as an object keyed by domain with `null` for unknown.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DomainVector {
    values: Vector5<f64>,
    known: DomainSet,
}

impl DomainVector {
    /// Every domain unknown.
    pub const UNKNOWN: DomainVector = DomainVector {
        values: Vector5::new(0.0, 0.0, 0.0, 0.0, 0.0),
        known: DomainSet::EMPTY,
    };

    /// Builds a vector from one optional value per domain.
    pub fn from_options(values: [Option<f64>; 5]) -> Self {
        let mut v = DomainVector::UNKNOWN;
        for (d, x) in Domain::ALL.into_iter().zip(values) {
            v.set(d, x);
        }
        v
    }

    /// The value for `d`, or `None` when unknown.
    #[inline]
    pub fn get(&self, d: Domain) -> Option<f64> {
        self.known.contains(d).then(|| self.values[d.index()])
    }

    /// Sets (or, with `None`, clears) the value for `d`.
    pub fn set(&mut self, d: Domain, x: Option<f64>) {
        match x {
            Some(x) => {
                self.values[d.index()] = x;
                self.known.insert(d);
            }
            None => {
                self.values[d.index()] = 0.0;
                self.known.0 &= !(1 << d as u8);
            }
        }
    }

    /// The domains whose value is known.
    pub fn known(&self) -> DomainSet {
        self.known
    }

    /// Whether all five values are known.
    pub fn is_complete(&self) -> bool {
        self.known == DomainSet::ALL
    }

    /// The five values in §1 order; unknown entries are 0.0.
    pub fn values(&self) -> [f64; 5] {
        self.values.into()
    }

    /// The five values in §1 order when all are known.
    pub fn complete(&self) -> Option<[f64; 5]> {
        self.is_complete().then(|| self.values.into())
    }

    /// The values as nalgebra's vector, for the numeric work inside the crate.
    pub(crate) fn vector(&self) -> &Vector5<f64> {
        &self.values
    }

    /// `self − other`, known where both are known.
    pub fn minus(&self, other: &DomainVector) -> DomainVector {
        let known = DomainSet(self.known.0 & other.known.0);
        let mut values = self.values - other.values;
        for d in Domain::ALL {
            if !known.contains(d) {
                values[d.index()] = 0.0;
            }
        }
        DomainVector { values, known }
    }

    /// The domains with their optional values, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (Domain, Option<f64>)> + '_ {
        Domain::ALL.into_iter().map(|d| (d, self.get(d)))
    }

    fn as_options(&self) -> PerDomain<Option<f64>> {
        PerDomain::from_fn(|d| self.get(d))
    }
}

impl Serialize for DomainVector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_options().serialize(s)
    }
}

impl<'de> Deserialize<'de> for DomainVector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let options = PerDomain::<Option<f64>>::deserialize(d)?;
        Ok(DomainVector::from_options(options.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_order_and_keys_round_trip() {
        let keys: Vec<_> = Domain::ALL.iter().map(|d| d.key()).collect();
        assert_eq!(keys, ["cl", "ci", "sp", "semh", "ind"]);
        for d in Domain::ALL {
            assert_eq!(d.key().parse::<Domain>().unwrap(), d);
        }
        assert!("CL".parse::<Domain>().is_err());
    }

    #[test]
    fn domain_set_lists_in_canonical_order() {
        let set: DomainSet = [Domain::Ind, Domain::Cl, Domain::Sp].into_iter().collect();
        assert_eq!(set.to_string(), "cl;sp;ind");
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"["cl","sp","ind"]"#);
        assert_eq!(DomainSet::EMPTY.to_string(), "");
    }

    #[test]
    fn domain_vector_minus_is_known_only_where_both_are() {
        let a = DomainVector::from_options([Some(3.0), None, Some(1.0), Some(0.0), None]);
        let b = DomainVector::from_options([Some(1.0), Some(2.0), None, Some(2.0), None]);
        let d = a.minus(&b);
        assert_eq!(d.get(Domain::Cl), Some(2.0));
        assert_eq!(d.get(Domain::Ci), None);
        assert_eq!(d.get(Domain::Sp), None);
        assert_eq!(d.get(Domain::Semh), Some(-2.0));
        assert_eq!(d.values()[1], 0.0);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            r#"{"cl":2.0,"ci":null,"sp":null,"semh":-2.0,"ind":null}"#
        );
        assert_eq!(serde_json::from_str::<DomainVector>(&json).unwrap(), d);
    }
}
