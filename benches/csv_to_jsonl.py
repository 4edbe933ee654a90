# A CSV cohort as JSON Lines, in the shape of fixtures/cohort.jsonl.
#   python3 benches/csv_to_jsonl.py COHORT.csv COHORT.jsonl
import csv, json, sys
r = csv.reader(open(sys.argv[1])); h = next(r)
groups = [('need.', 'needs'), ('readiness_planned.', 'readiness_planned'), ('readiness.', 'readiness'), ('confidence.', 'confidence')]
with open(sys.argv[2], 'w') as o:
    for row in r:
        d = {}; g = {name: {} for _, name in groups}
        for k, v in zip(h, row):
            for p, name in groups:
                if k.startswith(p):
                    g[name][k[len(p):]] = None if v == '' else int(v); break
            else:
                d[k] = None if v == '' else v
        d.update(g); o.write(json.dumps(d) + '\n')
