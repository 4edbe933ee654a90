#!/usr/bin/env python3
"""The DuckDB peer `vsend score` is measured against: one SQL query doing the
same scoring (docs/model.md §4-§6 under the default framework), CSV in, CSV
out, on every core DuckDB sees.

It is the fast general engine an analyst would reach for, so it is given the
easy version of the job: no validation (a bad cell is a NULL or an error, not
a rejected row with its problems) and no §7 same-date duplicate check. It
writes the same columns in the same order: on a generated cohort
(`gen_cohort`) its output is byte-identical to `vsend score`'s.

    pip install duckdb
    python3 benches/duckdb_peer.py INPUT.csv OUTPUT.csv [THREADS]

Not used by vsend; only for benchmarks (`benches/paired.py`).
"""
import sys

import duckdb

DOMAINS = ["cl", "ci", "sp", "semh", "ind"]
AREAS = {
    "cl": ["learning", "literacy", "numeracy", "attention_memory"],
    "ci": ["expressive", "receptive", "social"],
    "sp": ["vision", "hearing", "physical", "medical", "sensory_processing"],
    "semh": ["emotional", "behaviour", "relationships", "mental_health"],
    "ind": ["self_care", "safety", "community"],
}
MAX_LEVEL = 4


def query(src: str, dst: str) -> str:
    q = lambda name: '"' + name + '"'
    types = {"child_id": "VARCHAR", "assessed_on": "DATE", "date_of_birth": "DATE", "setting_id": "VARCHAR"}
    for d in DOMAINS:
        for a in AREAS[d]:
            types[f"need.{d}.{a}"] = "TINYINT"
    for f in ["readiness", "confidence", "readiness_planned"]:
        for d in DOMAINS:
            types[f"{f}.{d}"] = "TINYINT"
    columns = ", ".join(f"'{k}': '{v}'" for k, v in types.items())

    # Stage 1: per-domain need (§4: the highest area level, NULL when none assessed) and breadth.
    per_domain = []
    for d in DOMAINS:
        areas = [q(f"need.{d}.{a}") for a in AREAS[d]]
        per_domain.append(f"greatest({', '.join(areas)})::DOUBLE AS n_{d}")
        per_domain.append(" + ".join(f"coalesce(({a} >= 2)::INT, 0)" for a in areas) + f" AS b_{d}")
        per_domain.append(f"{q('readiness.' + d)} AS r_{d}")
        per_domain.append(f"{q('confidence.' + d)} AS c_{d}")
    age = (
        "year(assessed_on) - year(date_of_birth) - CASE WHEN month(assessed_on) * 100 + day(assessed_on) < "
        "CASE WHEN month(date_of_birth) = 2 AND day(date_of_birth) = 29 AND NOT "
        "((year(assessed_on) % 4 = 0 AND year(assessed_on) % 100 <> 0) OR year(assessed_on) % 400 = 0) "
        "THEN 228 ELSE month(date_of_birth) * 100 + day(date_of_birth) END THEN 1 ELSE 0 END"
    )
    # Stage 2: gaps (§5), the whole-assessment figures and the age band (§6).
    out = ["child_id", "assessed_on", "setting_id",
           f"CASE WHEN age IS NULL THEN NULL WHEN age <= 4 THEN 'early_years' WHEN age <= 10 THEN 'primary' "
           f"WHEN age <= 15 THEN 'secondary' ELSE 'post16' END AS age_band"]
    for d in DOMAINS:
        out += [f"n_{d} AS {q('need.' + d)}", f"b_{d} AS {q('breadth.' + d)}",
                f"r_{d} AS {q('readiness.' + d)}", f"c_{d} AS {q('confidence.' + d)}",
                f"r_{d} - n_{d} AS {q('setting_gap.' + d)}", f"c_{d} - n_{d} AS {q('family_gap.' + d)}"]
    complete = " AND ".join(f"n_{d} IS NOT NULL" for d in DOMAINS)
    total = " + ".join(f"n_{d}" for d in DOMAINS)

    def coverage(x):
        known = " AND ".join(f"{x}_{d} IS NOT NULL" for d in DOMAINS)
        covered = " + ".join(f"least({x}_{d}, n_{d})" for d in DOMAINS)
        return (f"CASE WHEN ({complete}) AND {known} THEN "
                f"CASE WHEN ({total}) = 0 THEN 1.0 ELSE ({covered}) / ({total}) END END")

    def unmet(x):
        parts = ", ".join(f"CASE WHEN {x}_{d} - n_{d} < 0 THEN '{d}' END" for d in DOMAINS)
        # An empty list is an empty cell, as vsend writes it (not "").
        return f"CASE WHEN {complete} THEN nullif(concat_ws(';', {parts}), '') END"

    top = f"greatest({', '.join(f'n_{d}' for d in DOMAINS)})"
    primary = " ".join(f"WHEN n_{d} = {top} THEN '{d}'" for d in DOMAINS)
    out += [
        f"{complete} AS complete",
        f"CASE WHEN {complete} THEN {total} END AS total_need",
        f"CASE WHEN {complete} THEN 100.0 * ({total}) / {5 * MAX_LEVEL} END AS need_index",
        f"{coverage('r')} AS setting_coverage",
        f"{coverage('c')} AS family_coverage",
        f"{unmet('r')} AS unmet_setting",
        f"{unmet('c')} AS unmet_family",
        f"CASE WHEN {complete} AND {top} > 0 THEN CASE {primary} END END AS primary_domain",
        "'vsend-default' AS framework_id",
        "'1' AS framework_version",
    ]
    return f"""
COPY (
  WITH levels AS (
    SELECT child_id, assessed_on, setting_id,
           CASE WHEN date_of_birth IS NOT NULL THEN {age} END AS age,
           {', '.join(per_domain)}
    FROM read_csv('{src}', header = true, auto_detect = false, columns = {{{columns}}})
  )
  SELECT {', '.join(out)} FROM levels
) TO '{dst}' (HEADER, DELIMITER ',')
"""


def main(src: str, dst: str, threads: str | None = None) -> None:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(query(src, dst))


if __name__ == "__main__":
    main(*sys.argv[1:4])
