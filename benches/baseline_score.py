#!/usr/bin/env python3
"""A straightforward Python scorer, the baseline `vsend score` is measured against.

It does what `vsend score` does for the default framework (validate every cell,
docs/model.md §4-§6, scored CSV out) the way an analyst would write it: csv.DictReader,
plain dicts and floats. Not used by vsend; only for benchmarks.

    python3 benches/baseline_score.py INPUT.csv OUTPUT.csv
"""
import csv
import re
import sys
from datetime import date

DOMAINS = ["cl", "ci", "sp", "semh", "ind"]
AREAS = {
    "cl": ["learning", "literacy", "numeracy", "attention_memory"],
    "ci": ["expressive", "receptive", "social"],
    "sp": ["vision", "hearing", "physical", "medical", "sensory_processing"],
    "semh": ["emotional", "behaviour", "relationships", "mental_health"],
    "ind": ["self_care", "safety", "community"],
}
MAX = 4
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def level(row, col, errors):
    s = row[col].strip()
    if s == "":
        return None
    try:
        v = int(s)
    except ValueError:
        errors.append(col)
        return None
    if not 0 <= v <= MAX:
        errors.append(col)
        return None
    return v


def age(born, on):
    bm, bd = born.month, born.day
    if (bm, bd) == (2, 29):
        try:
            date(on.year, 2, 29)
        except ValueError:
            bm, bd = 2, 28
    return on.year - born.year - ((on.month, on.day) < (bm, bd))


def band(a):
    return "early_years" if a <= 4 else "primary" if a <= 10 else "secondary" if a <= 15 else "post16"


def fmt(x):
    return "" if x is None else repr(float(x))


def main(src, dst):
    header = ["child_id", "assessed_on", "setting_id", "age_band"]
    for d in DOMAINS:
        header += [f"{f}.{d}" for f in ["need", "breadth", "readiness", "confidence", "setting_gap", "family_gap"]]
    header += ["complete", "total_need", "need_index", "setting_coverage", "family_coverage",
               "unmet_setting", "unmet_family", "primary_domain", "framework_id", "framework_version"]
    rejected = 0
    with open(src, newline="", encoding="utf-8-sig") as fi, open(dst, "w", newline="") as fo:
        out = csv.writer(fo, lineterminator="\n")
        out.writerow(header)
        for row in csv.DictReader(fi):
            errors = []
            if not ID.match(row["child_id"].strip()):
                errors.append("child_id")
            setting = row["setting_id"].strip()
            if setting and not ID.match(setting):
                errors.append("setting_id")
            try:
                on = date.fromisoformat(row["assessed_on"].strip())
            except ValueError:
                errors.append("assessed_on")
                on = None
            dob_text = row["date_of_birth"].strip()
            ab = None
            if dob_text:
                try:
                    born = date.fromisoformat(dob_text)
                    if on is not None:
                        a = age(born, on)
                        if on < born or a > 25:
                            errors.append("date_of_birth")
                        else:
                            ab = band(a)
                except ValueError:
                    errors.append("date_of_birth")
            need, breadth, ready, conf = {}, {}, {}, {}
            for d in DOMAINS:
                vals = [level(row, f"need.{d}.{a}", errors) for a in AREAS[d]]
                vals = [v for v in vals if v is not None]
                need[d] = max(vals) if vals else None
                breadth[d] = sum(1 for v in vals if v >= 2)
                ready[d] = level(row, f"readiness.{d}", errors)
                conf[d] = level(row, f"confidence.{d}", errors)
                level(row, f"readiness_planned.{d}", errors)
            if errors:
                rejected += 1
                continue
            cells = [row["child_id"].strip(), on.isoformat(), setting, ab or ""]
            sgap, fgap = {}, {}
            for d in DOMAINS:
                sgap[d] = None if need[d] is None or ready[d] is None else ready[d] - need[d]
                fgap[d] = None if need[d] is None or conf[d] is None else conf[d] - need[d]
                cells += [fmt(need[d]), breadth[d], "" if ready[d] is None else ready[d],
                          "" if conf[d] is None else conf[d], fmt(sgap[d]), fmt(fgap[d])]
            complete = all(need[d] is not None for d in DOMAINS)
            if complete:
                total = sum(need.values())
                def cover(offer):
                    if any(offer[d] is None for d in DOMAINS):
                        return None
                    return 1.0 if total == 0 else sum(min(offer[d], need[d]) for d in DOMAINS) / total
                top = max(need.values())
                primary = next(d for d in DOMAINS if need[d] == top) if top > 0 else ""
                cells += ["true", fmt(total), fmt(100 * total / (5 * MAX)), fmt(cover(ready)), fmt(cover(conf)),
                          ";".join(d for d in DOMAINS if sgap[d] is not None and sgap[d] < 0),
                          ";".join(d for d in DOMAINS if fgap[d] is not None and fgap[d] < 0), primary]
            else:
                cells += ["false", "", "", "", "", "", "", ""]
            cells += ["vsend-default", "1"]
            out.writerow(cells)
    print(f"rejected {rejected}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
