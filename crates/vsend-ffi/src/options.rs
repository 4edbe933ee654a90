//! The options object some calls take: null, or a JSON object whose every key
//! is known and every value in its range, each problem an argument error
//! naming the key and what is allowed.

use std::ops::RangeInclusive;

use serde_json::{Map, Value};
use vsend_core::{parse_date, Date, GroupBy};

use crate::{invalid, Failure};

/// A call's options, checked against the keys it allows.
#[derive(Debug, Default)]
pub(crate) struct Options(Map<String, Value>);

impl Options {
    /// Parses `text` (null: no options), refusing any key not in `allowed`
    /// (whose description ends the error message).
    pub(crate) fn parse(
        text: Option<&str>,
        allowed: &[&str],
        describe: &str,
    ) -> Result<Options, Failure> {
        let Some(text) = text else {
            return Ok(Options::default());
        };
        let value: Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("options: not JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(invalid(format!("options: not an object; {describe}")));
        };
        if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(invalid(format!(
                "options.{key}: not allowed here; {describe}"
            )));
        }
        Ok(Options(map))
    }

    /// The value of `key`, `None` when absent or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A date `YYYY-MM-DD`.
    pub(crate) fn date(&self, key: &str) -> Result<Option<Date>, Failure> {
        self.get(key)
            .map(|v| {
                v.as_str().and_then(parse_date).ok_or_else(|| {
                    invalid(format!(
                        "options.{key}: {v} is not a date; allowed a string YYYY-MM-DD"
                    ))
                })
            })
            .transpose()
    }

    /// A whole number in `range`; `allowed` says what is (e.g. "K is a whole
    /// number from 2 to 100").
    pub(crate) fn whole(
        &self,
        key: &str,
        range: RangeInclusive<u64>,
        allowed: &str,
    ) -> Result<Option<u64>, Failure> {
        self.get(key)
            .map(|v| {
                v.as_u64()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| invalid(format!("options.{key}: {v} is not allowed; {allowed}")))
            })
            .transpose()
    }

    /// `true` or `false`.
    pub(crate) fn flag(&self, key: &str) -> Result<Option<bool>, Failure> {
        self.get(key)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    invalid(format!(
                        "options.{key}: {v} is not allowed; allowed true or false"
                    ))
                })
            })
            .transpose()
    }

    /// A group-by key (`setting_id`, `age_band`, `primary_domain`).
    pub(crate) fn group_by(&self, key: &str) -> Result<Option<GroupBy>, Failure> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| invalid(format!("options.{key}: {v} is not a string")))?
                    .parse::<GroupBy>()
                    .map_err(|e| invalid(format!("options.{key}: {e}")))
            })
            .transpose()
    }
}
