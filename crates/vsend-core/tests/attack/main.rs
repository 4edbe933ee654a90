//! The §14 attack test: from shared summaries alone, pin each hidden count.
//!
//! The recipient of a shared summary knows K, B and the framework, and reads
//! relations from the file: a histogram sums to `n`, `high_need` is the sum
//! of the histogram's levels from high_need_level up, a change triple sums to
//! at most `n` (and adds one assessment per child), every by-group sums with `all` (the groups left out under
//! rule 1 forming one unknown group of fewer than K children), and the
//! summaries of one cohort by two keys share their `all`. Each shown count
//! is the rounding of an exact count of at least K, so the truth lies in a
//! window of width about B around it; each hidden count is in 1..K − 1, or
//! is rule 2's second entry (at least K, the smallest other non-zero entry of
//! its vector). The [`solver`] finds, for each hidden count, whether more than
//! one value fits all of that at once.
//!
//! The truth always fits (checked first: a model that excluded it would be
//! wrong). A hidden count is *pinned* when exactly one value fits.

#[path = "../common/mod.rs"]
mod common;
mod solver;

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::Value;
use solver::{Model, OutOfBudget, Pair};
use vsend_core::{Cohort, Domain, Framework, GroupBy, Suppression};

const LEVELS: usize = 5;
/// high_need_level of the default framework.
const HIGH: usize = 3;

/// The exact counts a shown count can stand for: 0 for 0; otherwise every
/// c ≥ K with B × max(1, ⌊c / B + 1/2⌋) = shown.
fn window(shown: i64, k: i64, b: i64) -> (i64, i64) {
    if shown == 0 {
        return (0, 0);
    }
    assert_eq!(shown % b, 0, "{shown} is not a multiple of {b}");
    let m = shown / b;
    let (lo, hi) = if m == 1 {
        (1, (3 * b - 1) / 2)
    } else {
        (((2 * m - 1) * b + 1) / 2, ((2 * m + 1) * b - 1) / 2)
    };
    let lo = lo.max(k);
    assert!(lo <= hi, "{shown} cannot be shown under K = {k}, B = {b}");
    (lo, hi)
}

/// The counts of one group, as variables.
#[derive(Debug, Clone)]
struct GroupVars {
    children: usize,
    assessments: usize,
    overdue: usize,
    domains: Vec<DomainVars>,
}

#[derive(Debug, Clone)]
struct DomainVars {
    n: usize,
    histogram: Vec<usize>,
    high_need: usize,
    unmet: usize,
    triple: [usize; 3],
}

impl GroupVars {
    /// Every variable, in one order for every group.
    fn all(&self) -> Vec<usize> {
        let mut out = vec![self.children, self.assessments, self.overdue];
        for d in &self.domains {
            out.push(d.n);
            out.extend(&d.histogram);
            out.extend([d.high_need, d.unmet]);
            out.extend(d.triple);
        }
        out
    }
}

/// A hidden count: where it is and its variable.
#[derive(Debug, Clone)]
struct Hidden {
    place: String,
    var: usize,
}

/// The model of what the recipient of `shared` (one cohort, one or more
/// keys, all with the same `all` and the same K and B) knows.
struct Attack {
    model: Model,
    hidden: Vec<Hidden>,
    /// Per summary: the variables of each shown group by name, and of the
    /// groups left out together.
    groups: Vec<(BTreeMap<String, GroupVars>, GroupVars)>,
    all: GroupVars,
}

fn shown_count(v: &Value) -> Option<i64> {
    v.as_u64().map(|c| c as i64)
}

impl Attack {
    fn new(shared: &[&Value]) -> Attack {
        let s = &shared[0]["suppression"];
        let (k, b) = (
            s["min_count"].as_i64().unwrap(),
            s["round_to"].as_i64().unwrap(),
        );
        for other in shared {
            assert_eq!(&other["suppression"], s);
            assert_eq!(
                other["groups"]["all"], shared[0]["groups"]["all"],
                "one cohort"
            );
        }
        let mut attack = Attack {
            model: Model::new(k),
            hidden: Vec::new(),
            groups: Vec::new(),
            all: GroupVars {
                children: 0,
                assessments: 0,
                overdue: 0,
                domains: Vec::new(),
            },
        };
        let all_json = &shared[0]["groups"]["all"];
        // Every count is at most the largest `children` (assessments: the largest `assessments`).
        let top = |key: &str| shown_count(&all_json[key]).map_or(k - 1, |c| window(c, k, b).1);
        let (most, most_assessments) = (top("children"), top("assessments"));
        attack.all = attack.shown_group("all", all_json, k, b, most, most_assessments);
        for (i, summary) in shared.iter().enumerate() {
            let mut named = BTreeMap::new();
            let mut key = None;
            for (name, g) in summary["groups"].as_object().unwrap() {
                if name != "all" {
                    key = name.split_once('=').map(|(k, _)| k.to_owned());
                    let label = format!("#{i} {name}");
                    named.insert(
                        name.clone(),
                        attack.shown_group(&label, g, k, b, most, most_assessments),
                    );
                }
            }
            // Rule 1: the groups of fewer than K children, merged and still
            // fewer than K, are left out; when `<key>=other` is shown, none are.
            // (With no by-group shown, every child is in the left-out ones.)
            let other_shown = key.is_some_and(|key| named.contains_key(&format!("{key}=other")));
            let left_out_most = if other_shown { 0 } else { k - 1 };
            let rest = attack.free_group(
                &format!("#{i} left out"),
                left_out_most,
                most,
                most_assessments,
            );
            attack.sums(&named, &rest);
            attack.groups.push((named, rest));
        }
        attack.joining();
        attack
    }

    /// Variables for a shown group, with their windows, and its relations.
    fn shown_group(
        &mut self,
        label: &str,
        g: &Value,
        k: i64,
        b: i64,
        most: i64,
        most_assessments: i64,
    ) -> GroupVars {
        let m = &mut self.model;
        let mut hidden = Vec::new();
        let single =
            |m: &mut Model, hidden: &mut Vec<Hidden>, place: String, v: &Value, top: i64| {
                match shown_count(v) {
                    Some(c) => {
                        let (lo, hi) = window(c, k, b);
                        m.var(place, lo, hi)
                    }
                    None => {
                        let var = m.var(place.clone(), 1, (k - 1).min(top));
                        hidden.push(Hidden { place, var });
                        var
                    }
                }
            };
        let children = single(
            m,
            &mut hidden,
            format!("{label}.children"),
            &g["children"],
            most,
        );
        let assessments = single(
            m,
            &mut hidden,
            format!("{label}.assessments"),
            &g["assessments"],
            most_assessments,
        );
        let overdue = single(
            m,
            &mut hidden,
            format!("{label}.overdue"),
            &g["overdue"],
            most,
        );
        let mut domains = Vec::new();
        for d in Domain::ALL {
            let x = &g[d.key()];
            let n = single(m, &mut hidden, format!("{label}.{d}.n"), &x["n"], most);
            let high_need = single(
                m,
                &mut hidden,
                format!("{label}.{d}.high_need"),
                &x["high_need"],
                most,
            );
            let unmet = single(
                m,
                &mut hidden,
                format!("{label}.{d}.unmet_by_setting"),
                &x["unmet_by_setting"],
                most,
            );
            let histogram_json: Vec<&Value> = x["histogram"].as_array().unwrap().iter().collect();
            let histogram = vector(
                m,
                &mut hidden,
                &format!("{label}.{d}.histogram"),
                &histogram_json,
                k,
                b,
                most,
            );
            let triple_json = [&x["improved"], &x["stable"], &x["worsened"]];
            let triple = vector(
                m,
                &mut hidden,
                &format!("{label}.{d}.change"),
                &triple_json,
                k,
                b,
                most,
            );
            domains.push(DomainVars {
                n,
                histogram,
                high_need,
                unmet,
                triple: [triple[0], triple[1], triple[2]],
            });
        }
        self.hidden.extend(hidden);
        let vars = GroupVars {
            children,
            assessments,
            overdue,
            domains,
        };
        self.relations(&vars, most_assessments);
        vars
    }

    /// The variables that join the domains (and a domain's histogram with
    /// its change triple): branched on first.
    fn joining(&mut self) {
        let groups: Vec<GroupVars> = std::iter::once(self.all.clone())
            .chain(
                self.groups
                    .iter()
                    .flat_map(|(named, rest)| named.values().cloned().chain([rest.clone()])),
            )
            .collect();
        let mut first: Vec<usize> = groups
            .iter()
            .flat_map(|g| [g.children, g.assessments])
            .collect();
        first.extend(groups.iter().flat_map(|g| g.domains.iter().map(|d| d.n)));
        self.model.first = first;
    }

    /// Variables for the groups left out: any counts within their children.
    fn free_group(
        &mut self,
        label: &str,
        children_most: i64,
        most: i64,
        most_assessments: i64,
    ) -> GroupVars {
        let m = &mut self.model;
        let children = m.var(format!("{label}.children"), 0, children_most);
        let assessments = m.var(format!("{label}.assessments"), 0, most_assessments);
        let overdue = m.var(format!("{label}.overdue"), 0, most);
        let domains = Domain::ALL
            .iter()
            .map(|d| DomainVars {
                n: m.var(format!("{label}.{d}.n"), 0, most),
                histogram: (0..LEVELS)
                    .map(|j| m.var(format!("{label}.{d}.histogram[{j}]"), 0, most))
                    .collect(),
                high_need: m.var(format!("{label}.{d}.high_need"), 0, most),
                unmet: m.var(format!("{label}.{d}.unmet_by_setting"), 0, most),
                triple: ["improved", "stable", "worsened"]
                    .map(|t| m.var(format!("{label}.{d}.{t}"), 0, most)),
            })
            .collect();
        let vars = GroupVars {
            children,
            assessments,
            overdue,
            domains,
        };
        self.relations(&vars, most_assessments);
        vars
    }

    /// What holds within every group of children.
    fn relations(&mut self, g: &GroupVars, most_assessments: i64) {
        let m = &mut self.model;
        m.at_most(g.overdue, g.children);
        m.at_most(g.children, g.assessments);
        // No children, no assessments.
        m.le(vec![(g.assessments, 1), (g.children, -most_assessments)], 0);
        for d in &g.domains {
            m.at_most(d.n, g.children);
            let mut sum: Vec<(usize, i64)> = d.histogram.iter().map(|&h| (h, 1)).collect();
            sum.push((d.n, -1));
            m.eq(sum, 0);
            let mut high: Vec<(usize, i64)> = d.histogram[HIGH..].iter().map(|&h| (h, 1)).collect();
            high.push((d.high_need, -1));
            m.eq(high, 0);
            m.at_most(d.unmet, d.n);
            // A change needs the need known now: at most n; and a previous
            // review: one more assessment per child who has one.
            m.le(
                vec![
                    (d.triple[0], 1),
                    (d.triple[1], 1),
                    (d.triple[2], 1),
                    (d.n, -1),
                ],
                0,
            );
            m.le(
                vec![
                    (d.triple[0], 1),
                    (d.triple[1], 1),
                    (d.triple[2], 1),
                    (g.children, 1),
                    (g.assessments, -1),
                ],
                0,
            );
        }
    }

    /// Each count of `all` is the sum of the by-groups' and the left-out groups'.
    fn sums(&mut self, named: &BTreeMap<String, GroupVars>, rest: &GroupVars) {
        let all = self.all.all();
        let parts: Vec<Vec<usize>> = named.values().chain([rest]).map(GroupVars::all).collect();
        for (i, &total) in all.iter().enumerate() {
            let mut terms: Vec<(usize, i64)> = parts.iter().map(|p| (p[i], 1)).collect();
            terms.push((total, -1));
            self.model.eq(terms, 0);
        }
    }

    /// The true value of every variable, from the exact summaries by the same keys.
    fn truth(&self, exact: &[&Value], k: i64) -> Vec<i64> {
        let mut values = vec![i64::MIN; self.model.names.len()];
        let counts = |g: &Value| -> Vec<i64> {
            let mut out = vec![
                g["children"].as_i64().unwrap(),
                g["assessments"].as_i64().unwrap(),
                g["overdue"].as_i64().unwrap(),
            ];
            for d in Domain::ALL {
                let x = &g[d.key()];
                out.push(x["n"].as_i64().unwrap());
                out.extend(
                    x["histogram"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| h.as_i64().unwrap()),
                );
                for key in [
                    "high_need",
                    "unmet_by_setting",
                    "improved",
                    "stable",
                    "worsened",
                ] {
                    out.push(x[key].as_i64().unwrap());
                }
            }
            out
        };
        let mut set = |vars: &GroupVars, c: Vec<i64>| {
            for (v, c) in vars.all().into_iter().zip(c) {
                values[v] = c;
            }
        };
        set(&self.all, counts(&exact[0]["groups"]["all"]));
        for ((named, rest), exact) in self.groups.iter().zip(exact) {
            let groups = exact["groups"].as_object().unwrap();
            let mut small = vec![0; self.all.all().len()];
            for (name, g) in groups.iter().filter(|(n, _)| *n != "all") {
                if let Some(vars) = named.get(name) {
                    set(vars, counts(g));
                } else {
                    assert!(g["children"].as_i64().unwrap() < k, "{name} left out");
                    for (s, c) in small.iter_mut().zip(counts(g)) {
                        *s += c;
                    }
                }
            }
            match named.iter().find(|(n, _)| n.ends_with("=other")) {
                Some((_, other)) => {
                    set(other, small);
                    set(rest, vec![0; self.all.all().len()]);
                }
                None => set(rest, small),
            }
        }
        assert!(values.iter().all(|&v| v != i64::MIN));
        values
    }
}

/// Variables for one histogram or change triple, with rule 2 where it applies.
fn vector(
    m: &mut Model,
    hidden: &mut Vec<Hidden>,
    place: &str,
    entries: &[&Value],
    k: i64,
    b: i64,
    most: i64,
) -> Vec<usize> {
    let shown: Vec<Option<i64>> = entries.iter().map(|v| shown_count(v)).collect();
    let nulls = shown.iter().filter(|s| s.is_none()).count();
    let positive = shown.iter().any(|s| s.is_some_and(|s| s > 0));
    // One hidden entry beside a shown non-zero one: rule 2 would have hidden a second.
    assert!(
        nulls != 1 || !positive,
        "{place}: {shown:?} cannot come from rule 2"
    );
    let vars: Vec<usize> = shown
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let name = format!("{place}[{j}]");
            match s {
                Some(c) => {
                    let (lo, hi) = window(*c, k, b);
                    m.var(name, lo, hi)
                }
                None => {
                    // Only a vector with exactly two hidden entries can hold a second entry.
                    let hi = if nulls == 2 { most } else { (k - 1).min(most) };
                    let var = m.var(name.clone(), 1, hi.max(1));
                    hidden.push(Hidden { place: name, var });
                    var
                }
            }
        })
        .collect();
    if nulls == 2 {
        let hidden_at: Vec<(usize, usize)> = (0..vars.len())
            .filter(|&j| shown[j].is_none())
            .map(|j| (vars[j], j))
            .collect();
        m.pair(Pair {
            hidden: [hidden_at[0], hidden_at[1]],
            shown: (0..vars.len())
                .filter(|&j| shown[j].is_some_and(|s| s > 0))
                .map(|j| (vars[j], j))
                .collect(),
        });
    }
    vars
}

/// What the attack learned of one hidden count: the values that fit
/// (exactly, when `exhaustive`; otherwise at least two, or the one).
#[derive(Debug)]
struct Finding {
    place: String,
    truth: i64,
    feasible: Vec<i64>,
    /// A search ran out of its node budget: `feasible` may be short.
    undecided: bool,
}

/// Runs the attack: for each hidden count, its feasible values. With
/// `exhaustive` every value from 1 to K − 1 (and any second-entry value) is
/// tried; otherwise the search stops at the second value found.
fn attack(shared: &[&Value], exact: &[&Value], exhaustive: bool) -> Vec<Finding> {
    let a = Attack::new(shared);
    let k = a.model.k;
    let truth = a.truth(exact, k);
    a.model
        .holds(&truth)
        .unwrap_or_else(|e| panic!("the truth does not fit the model: {e}"));
    // Witnesses: solutions found so far (the truth first).
    let mut seen: Vec<Vec<i64>> = vec![truth.clone()];
    let mut findings = Vec::new();
    for h in &a.hidden {
        let mut feasible: Vec<i64> = seen.iter().map(|s| s[h.var]).collect();
        feasible.sort();
        feasible.dedup();
        let (lo, hi) = (a.model.lo[h.var], a.model.hi[h.var]);
        let mut undecided = false;
        let try_range = |from: i64,
                         to: i64,
                         feasible: &mut Vec<i64>,
                         seen: &mut Vec<Vec<i64>>|
         -> Result<(), OutOfBudget> {
            if from > to {
                return Ok(());
            }
            // A search that cannot find a solution runs to its budget: in the
            // random cohorts (soundness only, unoptimised test build) a
            // smaller one keeps each case to seconds; undecided is reported.
            let mut budget = if exhaustive { 500_000u64 } else { 20_000 };
            if let Some(s) = a
                .model
                .solve(Some((h.var, from, to)), &truth, &mut budget)?
            {
                // Every witness is checked, so a value counted feasible is.
                a.model
                    .holds(&s)
                    .unwrap_or_else(|e| panic!("a witness does not fit the model: {e}"));
                feasible.push(s[h.var]);
                feasible.sort();
                feasible.dedup();
                seen.push(s);
            }
            Ok(())
        };
        if exhaustive {
            for v in lo..=hi.min(k - 1) {
                if !feasible.contains(&v) {
                    undecided |= try_range(v, v, &mut feasible, &mut seen).is_err();
                }
            }
            if !feasible.iter().any(|&v| v >= k) {
                undecided |= try_range(k, hi, &mut feasible, &mut seen).is_err();
            }
        } else if feasible.len() < 2 {
            let v = feasible[0];
            undecided |= try_range(lo, v - 1, &mut feasible, &mut seen).is_err();
            if feasible.len() < 2 {
                undecided |= try_range(v + 1, hi, &mut feasible, &mut seen).is_err();
            }
        }
        findings.push(Finding {
            place: h.place.clone(),
            truth: truth[h.var],
            feasible,
            undecided,
        });
    }
    findings
}

/// The hidden counts the attack pins to one value from 1 to K − 1.
fn pinned(findings: &[Finding], k: i64) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| !f.undecided && f.feasible.len() == 1 && (1..k).contains(&f.feasible[0]))
        .collect()
}

fn example_cohort(fw: &Framework) -> Cohort<'_> {
    let mut c = Cohort::new(fw, None);
    for (_, a) in common::load_example_csv(fw, "cohort-small.csv").accepted {
        c.add(&a).unwrap();
    }
    c
}

fn json<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap()
}

/// The shared and exact summaries of `cohort` by each key.
fn summaries(cohort: &Cohort, keys: &[GroupBy], s: Suppression) -> (Vec<Value>, Vec<Value>) {
    keys.iter()
        .map(|&by| {
            (
                json(&cohort.summary_suppressed(Some(by), s)),
                json(&cohort.summary(Some(by))),
            )
        })
        .unzip()
}

fn run(cohort: &Cohort, keys: &[GroupBy], s: Suppression, exhaustive: bool) -> Vec<Finding> {
    let (shared, exact) = summaries(cohort, keys, s);
    let (shared, exact): (Vec<&Value>, Vec<&Value>) =
        (shared.iter().collect(), exact.iter().collect());
    attack(&shared, &exact, exhaustive)
}

/// The worked example's cohort by the keys of the examples and their pairs.
const EXAMPLE_CASES: [(&[GroupBy], u64, Option<u64>); 6] = [
    (&[GroupBy::SettingId], 3, None),
    (&[GroupBy::AgeBand], 4, None),
    (&[GroupBy::SettingId], 3, Some(3)),
    // The summaries of one cohort by two keys, together.
    (&[GroupBy::SettingId, GroupBy::AgeBand], 3, None),
    (&[GroupBy::SettingId, GroupBy::AgeBand], 3, Some(3)),
    (&[GroupBy::SettingId, GroupBy::PrimaryDomain], 4, None),
];

/// Every finding keeps the truth; with `must_finish`, every search ended
/// within its budget too (the worked examples; a random cohort may be too
/// large for the smaller budget, which is not a fault of the attack).
fn assert_sound(findings: &[Finding], what: &str, must_finish: bool) {
    for f in findings {
        assert!(
            f.feasible.contains(&f.truth),
            "{what}: {f:?} excludes the truth"
        );
        assert!(
            !(must_finish && f.undecided),
            "{what}: {f:?}: the search did not finish"
        );
    }
}

#[test]
fn the_attack_is_sound_on_the_worked_examples_and_finds_what_section_14_lets_slip() {
    let fw = Framework::default();
    let cohort = example_cohort(&fw);
    for (keys, k, b) in EXAMPLE_CASES {
        let s = Suppression::new(k, b).unwrap();
        let findings = run(&cohort, keys, s, true);
        assert!(findings.len() > 50, "{keys:?}: {} hidden", findings.len());
        assert_sound(
            &findings,
            &format!("{keys:?} K = {k}, B = {}", s.round_to()),
            true,
        );
    }
    // MODEL 1.2 §14 as written does not stop this: in
    // cohort-small.by-setting.suppress3.json, `all.sp` shows histogram
    // [5, null, 5, null, null] and high_need null. Levels 3 and 4 are hidden,
    // so each is at least 1; high_need is their sum (high_need_level 3) and
    // hidden, so at most K − 1 = 2. Both are 1 and high_need is 2, from this
    // one group alone. (`no_hidden_count_is_pinned` below is the check to
    // turn on once the rules close this.)
    let findings = run(
        &cohort,
        &[GroupBy::SettingId],
        Suppression::new(3, None).unwrap(),
        true,
    );
    let pins: BTreeMap<&str, i64> = pinned(&findings, 3)
        .iter()
        .map(|f| (f.place.as_str(), f.feasible[0]))
        .collect();
    for (place, value) in [
        ("all.sp.histogram[3]", 1),
        ("all.sp.histogram[4]", 1),
        ("all.sp.high_need", 2),
    ] {
        assert_eq!(pins.get(place), Some(&value), "{place}: {pins:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// The model never excludes the truth: every value the attack rules out
    /// is truly impossible, so what it pins is truly disclosed.
    #[test]
    fn the_attack_is_sound_on_random_cohorts(
        children in common::random::arb_cohort(3),
        k in 3u64..=5,
        b in prop::option::of(3u64..=8),
        two_keys in any::<bool>(),
    ) {
        let fw = Framework::default();
        let c = common::random::cohort(&fw, &common::random::assessments(&fw, &children));
        let keys: &[GroupBy] = if two_keys { &[GroupBy::SettingId, GroupBy::AgeBand] } else { &[GroupBy::SettingId] };
        let findings = run(&c, keys, Suppression::new(k, b).unwrap(), false);
        assert_sound(&findings, "random cohort", false);
    }
}

/// The acceptance check of issue 12: no hidden count pinned to one value in
/// 1..K − 1, on the worked examples and random cohorts, from one summary
/// or two keys. It fails under MODEL 1.2 §14 as written (see
/// `the_attack_is_sound_…_lets_slip` and `survey`).
#[test]
#[ignore = "fails under MODEL 1.2 §14 as written: a hidden total whose parts are hidden can pin them (docs/model.md §14, limitation)"]
fn no_hidden_count_is_pinned() {
    let fw = Framework::default();
    let mut failures = Vec::new();
    let example = example_cohort(&fw);
    let randoms: Vec<_> = random_cohorts(4, 3)
        .iter()
        .map(|children| common::random::assessments(&fw, children))
        .collect();
    let cohorts: Vec<Cohort> = std::iter::once(example)
        .chain(randoms.iter().map(|a| common::random::cohort(&fw, a)))
        .collect();
    for (i, cohort) in cohorts.iter().enumerate() {
        for (keys, k, b) in EXAMPLE_CASES {
            let s = Suppression::new(k, b).unwrap();
            let findings = run(cohort, keys, s, i == 0);
            for f in pinned(&findings, k as i64) {
                failures.push(format!(
                    "cohort {i} {keys:?} K = {k} B = {}: {} = {}",
                    s.round_to(),
                    f.place,
                    f.truth
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} pinned:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The random cohorts of the property tests, drawn from a fixed seed.
fn random_cohorts(n: usize, max_settings: usize) -> Vec<Vec<common::random::Child>> {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = common::random::arb_cohort(max_settings);
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// How often the attack pins a hidden count, by K, B and keys, over random
/// cohorts: `cargo test -p vsend-core --test attack survey -- --ignored --nocapture`.
#[test]
#[ignore = "a survey for the docs, not a check: prints how often counts are pinned"]
fn survey() {
    let fw = Framework::default();
    let example = example_cohort(&fw);
    for (keys, k, b) in EXAMPLE_CASES {
        let s = Suppression::new(k, b).unwrap();
        let findings = run(&example, keys, s, true);
        eprintln!(
            "worked example {keys:?} K = {k} B = {}: {} of {} hidden counts pinned",
            s.round_to(),
            pinned(&findings, k as i64).len(),
            findings.len()
        );
    }
    let cohorts = random_cohorts(
        std::env::var("SURVEY_N").map_or(30, |n| n.parse().unwrap()),
        6,
    );
    for keys in [
        &[GroupBy::SettingId][..],
        &[GroupBy::SettingId, GroupBy::AgeBand][..],
    ] {
        for k in 3..=6 {
            let mut bs: Vec<Suppression> = [None, Some(3), Some(k)]
                .into_iter()
                .map(|b| Suppression::new(k, b).unwrap())
                .collect();
            bs.sort_by_key(|s| s.round_to());
            bs.dedup_by_key(|s| s.round_to());
            for s in bs {
                let (mut hidden, mut pins, mut cohorts_pinned, mut undecided) = (0, 0, 0, 0);
                for children in &cohorts {
                    let c =
                        common::random::cohort(&fw, &common::random::assessments(&fw, children));
                    let findings = run(&c, keys, s, false);
                    let p = pinned(&findings, k as i64).len();
                    undecided += findings.iter().filter(|f| f.undecided).count();
                    hidden += findings.len();
                    pins += p;
                    cohorts_pinned += usize::from(p > 0);
                }
                eprintln!(
                    "{keys:?} K = {k} B = {}: {pins} of {hidden} hidden counts pinned ({:.1}%), in {cohorts_pinned} of {} cohorts; {undecided} undecided",
                    s.round_to(),
                    100.0 * pins as f64 / hidden.max(1) as f64,
                    cohorts.len()
                );
            }
        }
    }
}
