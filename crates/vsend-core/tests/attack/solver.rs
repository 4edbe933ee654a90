//! A small exact solver for integer counts with interval domains, linear
//! constraints Σ a·x ≤ b, and §14 rule 2's one disjunction: in a histogram
//! or change triple with exactly two hidden entries, both are small
//! (1..K − 1), or one is small and the other is the smallest other non-zero
//! entry of the vector (first on ties), at least K.
//!
//! `solve` is complete: bounds propagation to a fixpoint, then depth-first
//! search splitting one domain in two (first at K for a hidden entry of a
//! two-hidden vector, else in halves). A value is feasible exactly when a
//! solution with it exists, so "not pinned" is shown by two solutions and
//! "pinned" by exhausting the search; a node budget turns a search too long
//! to finish into an error rather than a guess.

/// Σ terms ≤ b.
#[derive(Debug, Clone)]
pub struct Le {
    pub terms: Vec<(usize, i64)>,
    pub b: i64,
}

/// A vector with exactly two hidden entries, and its shown non-zero ones,
/// each as (variable, position in the vector).
#[derive(Debug, Clone)]
pub struct Pair {
    pub hidden: [(usize, usize); 2],
    pub shown: Vec<(usize, usize)>,
}

/// The variables, their domains and the constraints on them.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub names: Vec<String>,
    pub lo: Vec<i64>,
    pub hi: Vec<i64>,
    pub cons: Vec<Le>,
    pub pairs: Vec<Pair>,
    /// K.
    pub k: i64,
    /// Variables to branch on before any other (those that join the rest:
    /// fixing them first lets the rest fall apart into independent parts).
    pub first: Vec<usize>,
    /// Per variable, the constraints and pairs it is in (built by `solve`).
    watch: std::cell::OnceCell<Watch>,
}

/// Per variable, the constraints and the pairs it is in.
type Watch = (Vec<Vec<usize>>, Vec<Vec<usize>>);

/// Lower and upper bounds of every variable.
type Bounds = (Vec<i64>, Vec<i64>);

/// The node budget ran out: no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfBudget;

impl Model {
    /// An empty model with this K.
    pub fn new(k: i64) -> Model {
        Model {
            k,
            ..Model::default()
        }
    }

    pub fn var(&mut self, name: String, lo: i64, hi: i64) -> usize {
        assert!(lo <= hi, "{name}: empty domain {lo}..={hi}");
        self.watch = Default::default();
        self.names.push(name);
        self.lo.push(lo);
        self.hi.push(hi);
        self.names.len() - 1
    }

    /// Σ terms ≤ b.
    pub fn le(&mut self, terms: Vec<(usize, i64)>, b: i64) {
        self.watch = Default::default();
        self.cons.push(Le { terms, b });
    }

    /// Rule 2 on a vector with two hidden entries.
    pub fn pair(&mut self, p: Pair) {
        self.watch = Default::default();
        self.pairs.push(p);
    }

    /// Σ terms = b.
    pub fn eq(&mut self, terms: Vec<(usize, i64)>, b: i64) {
        let negated = terms.iter().map(|&(v, a)| (v, -a)).collect();
        self.le(terms, b);
        self.le(negated, -b);
    }

    /// x ≤ y.
    pub fn at_most(&mut self, x: usize, y: usize) {
        self.le(vec![(x, 1), (y, -1)], 0);
    }

    /// Whether `values` satisfies every constraint and rule 2.
    pub fn holds(&self, values: &[i64]) -> Result<(), String> {
        for (i, v) in values.iter().enumerate() {
            if *v < self.lo[i] || *v > self.hi[i] {
                return Err(format!(
                    "{} = {v} outside {}..={}",
                    self.names[i], self.lo[i], self.hi[i]
                ));
            }
        }
        for c in &self.cons {
            let sum: i64 = c.terms.iter().map(|&(v, a)| a * values[v]).sum();
            if sum > c.b {
                let terms: Vec<String> = c
                    .terms
                    .iter()
                    .map(|&(v, a)| format!("{a}·{}={}", self.names[v], values[v]))
                    .collect();
                return Err(format!("{} > {}", terms.join(" + "), c.b));
            }
        }
        for p in &self.pairs {
            if !self.pair_holds(p, values) {
                return Err(format!(
                    "rule 2 on {} and {}",
                    self.names[p.hidden[0].0], self.names[p.hidden[1].0]
                ));
            }
        }
        Ok(())
    }

    fn pair_holds(&self, p: &Pair, values: &[i64]) -> bool {
        let small = |v: i64| (1..self.k).contains(&v);
        let [(a, pa), (b, pb)] = p.hidden;
        match (small(values[a]), small(values[b])) {
            (true, true) => true,
            (true, false) => self.is_second(p, values, b, pb),
            (false, true) => self.is_second(p, values, a, pa),
            (false, false) => false,
        }
    }

    /// Whether `s` (at position `ps`) is the smallest other non-zero entry, first on ties.
    fn is_second(&self, p: &Pair, values: &[i64], s: usize, ps: usize) -> bool {
        values[s] >= self.k
            && p.shown.iter().all(|&(i, pi)| {
                if pi < ps {
                    values[s] < values[i]
                } else {
                    values[s] <= values[i]
                }
            })
    }

    /// A solution with `restrict.0` in `restrict.1..=restrict.2`, if any.
    /// The search tries the values of `hint` (a solution of the model without
    /// the restriction) first, so a solution near it is found quickly; the
    /// answer does not depend on it.
    pub fn solve(
        &self,
        restrict: Option<(usize, i64, i64)>,
        hint: &[i64],
        budget: &mut u64,
    ) -> Result<Option<Vec<i64>>, OutOfBudget> {
        let (mut lo, mut hi) = (self.lo.clone(), self.hi.clone());
        if let Some((x, a, b)) = restrict {
            lo[x] = lo[x].max(a);
            hi[x] = hi[x].min(b);
        }
        let vars: Vec<usize> = (0..lo.len()).collect();
        if !self.propagate(&mut lo, &mut hi, None) {
            return Ok(None);
        }
        let solved = self.search(lo, hi, &vars, None, hint, budget)?;
        Ok(solved.map(|(lo, hi)| {
            debug_assert_eq!(lo, hi);
            debug_assert!(self.holds(&lo).is_ok());
            lo
        }))
    }

    /// Fixes every variable of `vars` consistently (the others are left as
    /// propagation leaves them), or shows none can be: propagation, then the
    /// unfixed variables split into independent components (no constraint
    /// with two unfixed variables joins them), each solved on its own, so a
    /// dead end in one never makes the search retry another.
    fn search(
        &self,
        mut lo: Vec<i64>,
        mut hi: Vec<i64>,
        vars: &[usize],
        changed: Option<usize>,
        hint: &[i64],
        budget: &mut u64,
    ) -> Result<Option<Bounds>, OutOfBudget> {
        if *budget == 0 {
            return Err(OutOfBudget);
        }
        *budget -= 1;
        if let Some(v) = changed {
            if !self.propagate(&mut lo, &mut hi, Some(v)) {
                return Ok(None);
            }
        }
        let unfixed: Vec<usize> = vars.iter().copied().filter(|&v| lo[v] < hi[v]).collect();
        if unfixed.is_empty() {
            return Ok(Some((lo, hi)));
        }
        let components = self.components(&lo, &hi, &unfixed);
        if components.len() > 1 {
            for component in components {
                match self.search(lo, hi, &component, None, hint, budget)? {
                    None => return Ok(None),
                    Some((l, h)) => (lo, hi) = (l, h),
                }
            }
            return Ok(Some((lo, hi)));
        }
        // The joining variables first; then a hidden entry of a two-hidden
        // vector: small or not; then the smallest domain.
        let k = self.k;
        let joining = self.first.iter().copied().find(|v| unfixed.contains(v));
        let pair_var = self
            .pairs
            .iter()
            .flat_map(|p| p.hidden)
            .map(|(v, _)| v)
            .find(|&v| lo[v] < k && hi[v] >= k && unfixed.contains(&v));
        let v = joining
            .or(pair_var)
            .unwrap_or_else(|| *unfixed.iter().min_by_key(|&&v| hi[v] - lo[v]).unwrap());
        // Branches: the hint's value first, then below it, then above it;
        // without a hint in range, halves (at K − 1 for a hidden pair entry).
        let h = hint.get(v).copied().filter(|h| (lo[v]..=hi[v]).contains(h));
        let branches: Vec<(i64, i64)> = match h {
            Some(h) => vec![(h, h), (lo[v], h - 1), (h + 1, hi[v])],
            None => {
                let mid = if pair_var == Some(v) && joining.is_none() {
                    k - 1
                } else {
                    lo[v] + (hi[v] - lo[v]) / 2
                };
                vec![(lo[v], mid), (mid + 1, hi[v])]
            }
        };
        for (a, b) in branches {
            if a > b {
                continue;
            }
            let (mut lo2, mut hi2) = (lo.clone(), hi.clone());
            lo2[v] = a;
            hi2[v] = b;
            if let Some(s) = self.search(lo2, hi2, &unfixed, Some(v), hint, budget)? {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    /// The unfixed variables grouped by the constraints (and rule 2 pairs)
    /// that join two or more of them.
    fn components(&self, lo: &[i64], hi: &[i64], unfixed: &[usize]) -> Vec<Vec<usize>> {
        let mut parent: Vec<usize> = (0..lo.len()).collect();
        fn root(parent: &mut [usize], mut v: usize) -> usize {
            while parent[v] != v {
                parent[v] = parent[parent[v]];
                v = parent[v];
            }
            v
        }
        let free = |v: &usize| lo[*v] < hi[*v];
        let mut join = |vs: &mut dyn Iterator<Item = usize>| {
            let mut first = None;
            for v in vs {
                let r = root(&mut parent, v);
                match first {
                    None => first = Some(r),
                    Some(f) => parent[r] = f,
                }
            }
        };
        for c in &self.cons {
            join(&mut c.terms.iter().map(|t| t.0).filter(free));
        }
        for p in &self.pairs {
            join(&mut p.hidden.iter().chain(&p.shown).map(|t| t.0).filter(free));
        }
        let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for &v in unfixed {
            let r = root(&mut parent, v);
            groups.entry(r).or_default().push(v);
        }
        groups.into_values().collect()
    }

    fn watch(&self) -> &Watch {
        self.watch.get_or_init(|| {
            let mut cons = vec![Vec::new(); self.lo.len()];
            let mut pairs = vec![Vec::new(); self.lo.len()];
            for (i, c) in self.cons.iter().enumerate() {
                for &(v, _) in &c.terms {
                    cons[v].push(i);
                }
            }
            for (i, p) in self.pairs.iter().enumerate() {
                for &(v, _) in p.hidden.iter().chain(&p.shown) {
                    pairs[v].push(i);
                }
            }
            (cons, pairs)
        })
    }

    /// Bounds propagation to a fixpoint, from the constraints of `changed`
    /// (every constraint when `None`); false when a domain empties.
    fn propagate(&self, lo: &mut [i64], hi: &mut [i64], changed: Option<usize>) -> bool {
        let (watch_cons, watch_pairs) = self.watch();
        let n_cons = self.cons.len();
        // Work items: constraints 0..n_cons, then pairs.
        let mut queued = vec![false; n_cons + self.pairs.len()];
        let mut queue = std::collections::VecDeque::new();
        let push =
            |item: usize, queued: &mut Vec<bool>, queue: &mut std::collections::VecDeque<usize>| {
                if !queued[item] {
                    queued[item] = true;
                    queue.push_back(item);
                }
            };
        match changed {
            None => (0..queued.len()).for_each(|i| push(i, &mut queued, &mut queue)),
            Some(v) => {
                for &c in &watch_cons[v] {
                    push(c, &mut queued, &mut queue);
                }
                for &p in &watch_pairs[v] {
                    push(n_cons + p, &mut queued, &mut queue);
                }
            }
        }
        let mut touched = Vec::new();
        while let Some(item) = queue.pop_front() {
            queued[item] = false;
            touched.clear();
            if item < n_cons {
                if !self.propagate_le(&self.cons[item], lo, hi, &mut touched) {
                    return false;
                }
            } else if !self.propagate_pair(&self.pairs[item - n_cons], lo, hi, &mut touched) {
                return false;
            }
            for &v in &touched {
                for &c in &watch_cons[v] {
                    push(c, &mut queued, &mut queue);
                }
                for &p in &watch_pairs[v] {
                    push(n_cons + p, &mut queued, &mut queue);
                }
            }
        }
        true
    }

    /// Σ a·x ≤ b on the bounds; the variables whose bounds moved go to `touched`.
    fn propagate_le(
        &self,
        c: &Le,
        lo: &mut [i64],
        hi: &mut [i64],
        touched: &mut Vec<usize>,
    ) -> bool {
        let min: i64 = c
            .terms
            .iter()
            .map(|&(v, a)| if a > 0 { a * lo[v] } else { a * hi[v] })
            .sum();
        if min > c.b {
            return false;
        }
        for &(v, a) in &c.terms {
            let own = if a > 0 { a * lo[v] } else { a * hi[v] };
            let slack = c.b - (min - own);
            if a > 0 {
                let bound = slack.div_euclid(a);
                if bound < hi[v] {
                    hi[v] = bound;
                    touched.push(v);
                }
            } else {
                // a·x ≤ slack with a < 0: x ≥ ⌈slack / a⌉.
                let bound = -slack.div_euclid(-a);
                if bound > lo[v] {
                    lo[v] = bound;
                    touched.push(v);
                }
            }
            if lo[v] > hi[v] {
                return false;
            }
        }
        true
    }

    /// Rule 2 on one pair: each hidden entry is small, or the second entry.
    fn propagate_pair(
        &self,
        p: &Pair,
        lo: &mut [i64],
        hi: &mut [i64],
        touched: &mut Vec<usize>,
    ) -> bool {
        let k = self.k;
        for (me, other) in [(0, 1), (1, 0)] {
            let (s, ps) = p.hidden[me];
            let (o, _) = p.hidden[other];
            // Could `s` be the second entry? Then `o` is small and s ≥ K
            // stays at most each shown non-zero entry (below those before it).
            let cap = p
                .shown
                .iter()
                .map(|&(i, pi)| hi[i] - i64::from(pi < ps))
                .min()
                .unwrap_or(i64::MAX);
            let possible = lo[o] < k && hi[s] >= k && lo[s].max(k) <= cap;
            if !possible && hi[s] >= k {
                hi[s] = k - 1;
                touched.push(s);
            }
            if lo[s] > hi[s] {
                return false;
            }
            if lo[s] >= k {
                // It is the second entry.
                if hi[o] >= k {
                    hi[o] = k - 1;
                    touched.push(o);
                }
                if hi[s] > cap {
                    hi[s] = cap;
                    touched.push(s);
                }
                for &(i, pi) in &p.shown {
                    let floor = lo[s] + i64::from(pi < ps);
                    if lo[i] < floor {
                        lo[i] = floor;
                        touched.push(i);
                    }
                }
                if lo[o] > hi[o] || lo[s] > hi[s] || p.shown.iter().any(|&(i, _)| lo[i] > hi[i]) {
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_pins_what_it_pins_and_no_more() {
        // x + y = 4, x in 3..=4, y in 1..=2: y = 1 only.
        let mut m = Model::new(3);
        let x = m.var("x".into(), 3, 4);
        let y = m.var("y".into(), 1, 2);
        m.eq(vec![(x, 1), (y, 1)], 4);
        let mut budget = 1000;
        assert_eq!(m.solve(Some((y, 2, 2)), &[], &mut budget), Ok(None));
        assert_eq!(
            m.solve(Some((y, 1, 1)), &[], &mut budget),
            Ok(Some(vec![3, 1]))
        );
    }

    #[test]
    fn rule_2_allows_a_second_entry_only_below_the_shown_ones() {
        let mut m = Model::new(3);
        let a = m.var("a".into(), 1, 20);
        let b = m.var("b".into(), 1, 20);
        let c = m.var("c".into(), 5, 7);
        m.pair(Pair {
            hidden: [(a, 0), (b, 1)],
            shown: vec![(c, 2)],
        });
        let mut budget = 10_000;
        // b = 6 as the second entry needs a small and c ≥ 6.
        let s = m.solve(Some((b, 6, 6)), &[], &mut budget).unwrap().unwrap();
        assert!(s[0] < 3 && s[2] >= 6, "{s:?}");
        assert_eq!(m.solve(Some((b, 8, 20)), &[], &mut budget), Ok(None));
        // Both at least K: never.
        m.le(vec![(a, -1)], -3);
        assert_eq!(m.solve(Some((b, 3, 20)), &[], &mut budget), Ok(None));
    }
}
