//! `vsend pack` and `vsend packs`: review packs for meetings. The pages are
//! made by `vsend-pack`; this module reads the cohort (and plans) as every
//! command does, picks the child, the setting and the plan, and writes the
//! pages through the output plan: checked before any row is read, renamed
//! into place together and only when every page was made.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use vsend_core::history::Keep;
use vsend_core::{
    ChildId, Cohort, CohortSummary, Date, Framework, GroupBy, Histories, History, Plan, PlanRow,
    SettingId, Timeline,
};
use vsend_io::output::{Output, OutputPlan, Ready};
use vsend_io::read::{Input, Plans, Row};
use vsend_pack::{ChildPack, PackError, SettingIndex};

use crate::args::{PackArgs, PacksArgs};
use crate::{load_framework, read_rows, refuse_existing, Context, Error, Progress, Run};

/// The index page's file name in a `packs` directory.
const INDEX: &str = "index.html";

pub(crate) fn pack(run: &mut Run, args: PackArgs) -> Result<u64, Error> {
    html_output(&args.output)?;
    let mut plan = OutputPlan::new();
    if let Some(plans) = &args.plan {
        plan.input(plans);
    }
    let mut opened = crate::open_outputs_with(&args.input, plan, Some(Some(&args.output)), None)?;
    let child = ChildId::new(&args.child).map_err(|e| Error::Usage(format!("--child: {e}")))?;
    let fw = load_framework(&args.input.framework)?;
    // Opened before the cohort is read: a missing plans file fails at once.
    let plans_input = args.plan.as_deref().map(Input::open).transpose()?;
    let mut histories = Histories::new(Keep::Child(child.clone()));
    read_rows(run, &args.input, &fw, opened.errors.take(), |a| {
        histories.add(a)
    })?;
    let history = histories.get(&child).ok_or_else(|| {
        Error::Usage(format!(
            "--child {child}: no assessments of this child in the input"
        ))
    })?;
    let on = pack_date(args.on, &histories)?;
    let timeline = timeline_on(&fw, history, on, &format!("--child {child}"))?;
    let plan = match (&args.plan, plans_input) {
        (Some(path), Some(input)) => {
            let mut plans = read_plans(input, &fw, |c| c == &child)?;
            let mine = plans.remove(&child).unwrap_or_default();
            let row = plan_on(&fw, history, &mine, on).ok_or_else(|| {
                Error::Usage(format!(
                    "--plan {}: no valid plan for {child} (one moving after their first review)",
                    path.display()
                ))
            })?;
            Some(row)
        }
        _ => None,
    };
    let setting = history
        .current(Some(on))
        .and_then(|a| a.setting_id())
        .map(SettingId::as_str);
    let html = ChildPack::new(&fw, &timeline, on)
        .setting_id(setting)
        .plan(plan.as_ref())
        .render()
        .map_err(pack_error)?;
    let target = args.output.display().to_string();
    let mut out = opened.output();
    out.write_all(html.as_bytes()).writing(&target)?;
    let ready = out.finish().writing(&target)?;
    run.finish("scored", vec![ready])
}

pub(crate) fn packs(run: &mut Run, args: PacksArgs) -> Result<u64, Error> {
    let dir = &args.output;
    let mut plan = OutputPlan::new();
    plan.input(&args.input.input);
    for path in args.input.framework.path.iter().chain(&args.plan) {
        plan.input(path);
    }
    let errors = args
        .input
        .errors
        .as_deref()
        .map(|e| plan.output("--errors", Some(e)))
        .transpose()?;
    plan.directory("-o", dir)?;
    let mut opened = plan.open()?;
    let errors = errors.map(|slot| opened.take(slot));
    let setting =
        SettingId::new(&args.setting).map_err(|e| Error::Usage(format!("--setting: {e}")))?;
    if !args.force {
        refuse_existing(
            "-o",
            dir,
            &["html", "htm"],
            "web page",
            &format!("the packs of the same children and {INDEX}"),
        )?;
    }
    let fw = load_framework(&args.input.framework)?;
    // Opened before the cohort is read: a missing plans file fails at once.
    let plans_input = args.plan.as_deref().map(Input::open).transpose()?;
    let mut histories = Histories::new(Keep::All);
    read_rows(run, &args.input, &fw, errors, |a| histories.add(a))?;
    let on = pack_date(args.on, &histories)?;

    // The setting's children: those whose review shown is at the setting.
    let mine: Vec<&History> = histories
        .children()
        .filter(|h| setting_on(h, on).as_ref() == Some(&setting))
        .collect();
    if mine.is_empty() {
        return Err(no_child_at(&histories, &setting, on));
    }
    let children: Vec<ChildId> = mine
        .iter()
        .map(|h| h.reviews()[0].child_id().clone())
        .collect();
    let paths = pack_paths(dir, &children)?;

    // The setting's §8/§12 group, from its children's reviews.
    let summary = setting_summary(&fw, &mine, on);
    let group = summary
        .group(&format!("setting_id={setting}"))
        .expect("every child counted is at the setting");

    let mut plans = match plans_input {
        Some(input) => {
            let wanted: HashSet<&ChildId> = children.iter().collect();
            read_plans(input, &fw, |c| wanted.contains(c))?
        }
        None => HashMap::new(),
    };
    let timelines: Vec<Timeline> = mine
        .iter()
        .zip(&children)
        .map(|(h, c)| timeline_on(&fw, h, on, &format!("{c}")))
        .collect::<Result<_, _>>()?;
    let rows: Vec<Option<PlanRow>> = mine
        .iter()
        .zip(&children)
        .map(|(h, c)| plan_on(&fw, h, &plans.remove(c).unwrap_or_default(), on))
        .collect();

    let pages = render_packs(&fw, on, &mine, &timelines, &rows)?;
    let mut index = SettingIndex::new(&fw, setting.as_str(), on, group);
    for (t, (href, _)) in timelines.iter().zip(&paths) {
        index = index.child(t, href);
    }
    let index = index.render().map_err(pack_error)?;
    // Every page is made: only now is the directory created and written.
    let made = crate::NewDirectory::create(dir)?;
    let mut ready = pages
        .par_iter()
        .zip(&paths)
        .map(|(html, (_, path))| write_page(path, html))
        .collect::<Result<Vec<Ready>, Error>>()?;
    ready.push(write_page(&dir.join(INDEX), &index)?);
    run.reporter()
        .commit(ready)
        .writing(&dir.display().to_string())?;
    made.keep();
    eprintln!(
        "vsend: {} packs and {INDEX} written to {}",
        mine.len(),
        dir.display()
    );
    run.finish("scored", Vec::new())
}

/// The setting of `h`'s review shown on `on`.
fn setting_on(h: &History, on: Date) -> Option<SettingId> {
    h.current(Some(on)).and_then(|a| a.setting_id()).cloned()
}

/// The error for a `--setting` no child is at on `on`, naming (up to 20 of)
/// the settings children were at then.
fn no_child_at(histories: &Histories, setting: &SettingId, on: Date) -> Error {
    let settings: BTreeSet<String> = histories
        .children()
        .filter_map(|h| setting_on(h, on).map(|s| s.to_string()))
        .collect();
    let mut named: Vec<String> = settings.iter().take(20).cloned().collect();
    if settings.len() > named.len() {
        named.push(format!("and {} more", settings.len() - named.len()));
    }
    let known = if named.is_empty() {
        "no review on or before that date names a setting".to_owned()
    } else {
        format!("settings then: {}", named.join(", "))
    };
    Error::Usage(format!(
        "--setting {setting}: no child's review on or before {on} is at this setting; {known}; nothing written"
    ))
}

/// The §8 summary by setting of the setting's children, as of `on`.
fn setting_summary(fw: &Framework, mine: &[&History], on: Date) -> CohortSummary {
    let mut cohort = Cohort::new(fw, Some(on));
    for h in mine {
        for a in h.reviews() {
            cohort
                .add(a)
                .expect("a history holds no two reviews on one date");
        }
    }
    cohort.summary(Some(GroupBy::SettingId))
}

/// Every child's pack page, made in parallel with a progress bar; the
/// first failure stops the lot, so no partial set is written.
fn render_packs(
    fw: &Framework,
    on: Date,
    mine: &[&History],
    timelines: &[Timeline],
    rows: &[Option<PlanRow>],
) -> Result<Vec<String>, Error> {
    let bar = Progress::for_items(mine.len() as u64);
    let made: Vec<Result<String, Error>> = (0..mine.len())
        .into_par_iter()
        .map(|i| {
            let setting = setting_on(mine[i], on);
            let html = ChildPack::new(fw, &timelines[i], on)
                .setting_id(setting.as_ref().map(SettingId::as_str))
                .plan(rows[i].as_ref())
                .index_href(Some(INDEX))
                .render()
                .map_err(pack_error);
            bar.inc();
            html
        })
        .collect();
    bar.finish();
    let mut pages = Vec::with_capacity(made.len() + 1);
    for page in made {
        pages.push(
            page.map_err(|e| Error::Usage(format!("packs not written; the first failure: {e}")))?,
        );
    }
    Ok(pages)
}

/// Refuses a `-o` that is not an .html file: a pack is a web page.
fn html_output(path: &Path) -> Result<(), Error> {
    let html = path
        .extension()
        .and_then(OsStr::to_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if html {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "-o {}: a pack is a web page; allowed extension .html (print it to PDF from a browser)",
            path.display()
        )))
    }
}

/// The date of the packs: `--on`, else the latest assessment read.
fn pack_date(on: Option<Date>, histories: &Histories) -> Result<Date, Error> {
    on.or(histories.as_of())
        .ok_or_else(|| Error::Usage("the input has no assessment to make a pack from".into()))
}

/// A child's timeline as of the pack's date.
fn timeline_on(fw: &Framework, history: &History, on: Date, who: &str) -> Result<Timeline, Error> {
    if history.current(Some(on)).is_none() {
        let first = history.reviews()[0].assessed_on();
        return Err(Error::Usage(format!(
            "{who}: no review on or before {on}; the first is on {first}"
        )));
    }
    Timeline::of(fw, history, Some(on)).map_err(|e| Error::Usage(format!("{who}: {e}")))
}

/// Reads the accepted plans of the children `wanted` picks, by child. Rows
/// the plans file rejects are left out, as `vsend chart --plan` leaves them.
fn read_plans(
    input: Input,
    fw: &Framework,
    wanted: impl Fn(&ChildId) -> bool,
) -> Result<HashMap<ChildId, Vec<Plan>>, Error> {
    let mut plans: HashMap<ChildId, Vec<Plan>> = HashMap::new();
    for row in input.rows_as::<Plans>(fw)? {
        if let Row::Accepted { value, .. } = row? {
            if wanted(value.child_id()) {
                plans
                    .entry(value.child_id().clone())
                    .or_default()
                    .push(value);
            }
        }
    }
    Ok(plans)
}

/// The plan a pack on `on` shows (§11): of the child's plans that can be
/// matched to a review on or before both their move and `on`, the first
/// moving on or after `on`, else the latest before it.
fn plan_on(fw: &Framework, history: &History, plans: &[Plan], on: Date) -> Option<PlanRow> {
    // The history as it stood on the pack's date.
    let mut then = Histories::new(Keep::All);
    for a in history.reviews().iter().filter(|a| a.assessed_on() <= on) {
        then.add(a)
            .expect("a history holds no two reviews on one date");
    }
    let child = history.reviews().first()?.child_id();
    let rows: Vec<PlanRow> = plans
        .iter()
        .filter_map(|p| vsend_core::transition(fw, then.get(child), p).ok())
        .collect();
    let next = rows
        .iter()
        .filter(|r| r.move_on >= on)
        .min_by_key(|r| r.move_on);
    next.or_else(|| rows.iter().max_by_key(|r| r.move_on))
        .cloned()
}

/// Each child's pack file in `dir` with its address from the index: `<ID>.html`.
///
/// Child IDs are validated by §3 (letters, digits, `.`, `_`, `-`, never a
/// path), but the join is checked here anyway: the name must be one plain
/// file name that stays in `dir`, not the index's, and no two children may
/// share a file on a disk that ignores case.
fn pack_paths(dir: &Path, children: &[ChildId]) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut out = Vec::with_capacity(children.len());
    for child in children {
        let (name, path) = pack_path(dir, child.as_str())?;
        if let Some(other) = seen.insert(name.to_ascii_lowercase(), child.as_str()) {
            return Err(Error::Usage(format!(
                "children {other} and {child} differ only in case: their packs would be one file on many disks; nothing written"
            )));
        }
        out.push((name, path));
    }
    Ok(out)
}

/// One child's pack file name and path in `dir`, refusing any ID that would
/// not make one plain file name inside it.
fn pack_path(dir: &Path, child: &str) -> Result<(String, PathBuf), Error> {
    let name = format!("{child}.html");
    let mut parts = Path::new(&name).components();
    let plain = matches!(
        (parts.next(), parts.next()),
        (Some(Component::Normal(n)), None) if n == OsStr::new(&name)
    );
    let safe = plain
        && !child.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0'])
        && !name.eq_ignore_ascii_case(INDEX);
    let path = dir.join(&name);
    if !safe || path.parent() != Some(dir) {
        return Err(Error::Usage(format!(
            "child ID {child:?} cannot name a pack file in {}; nothing written",
            dir.display()
        )));
    }
    Ok((name, path))
}

/// Writes one page to its temporary file, ready to commit with the others.
fn write_page(path: &Path, html: &str) -> Result<Ready, Error> {
    let target = path.display().to_string();
    let mut out = Output::create_in_directory(path).writing(&target)?;
    out.write_all(html.as_bytes()).writing(&target)?;
    out.finish().writing(&target)
}

fn pack_error(e: PackError) -> Error {
    match e {
        PackError::Chart(e) => Error::Chart(e),
        e => Error::Usage(format!("pack: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_id_never_leaves_the_directory() {
        let dir = Path::new("packs");
        assert_eq!(
            pack_path(dir, "C010000011").unwrap(),
            ("C010000011.html".to_owned(), dir.join("C010000011.html"))
        );
        for hostile in [
            "../evil",
            "..",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "",
            ".hidden",
            "c:x",
            "nul\0",
            "index",
            "INDEX",
        ] {
            let e = pack_path(dir, hostile).unwrap_err().to_string();
            assert!(e.contains("cannot name a pack file"), "{hostile:?}: {e}");
        }
    }

    #[test]
    fn two_children_never_share_a_file() {
        let ids = ["C1", "c1"].map(|s| ChildId::new(s).unwrap());
        let e = pack_paths(Path::new("p"), &ids).unwrap_err().to_string();
        assert!(e.contains("differ only in case"), "{e}");
        let ids = ["C1", "C2"].map(|s| ChildId::new(s).unwrap());
        assert_eq!(pack_paths(Path::new("p"), &ids).unwrap().len(), 2);
    }

    #[test]
    fn only_html_is_a_pack() {
        assert!(html_output(Path::new("a.html")).is_ok());
        assert!(html_output(Path::new("a.HTM")).is_ok());
        for bad in ["a.pdf", "a", "cohort.csv", "-"] {
            assert!(html_output(Path::new(bad)).is_err(), "{bad}");
        }
    }
}
