# A messy copy of a generated cohort, for benches/same_output.sh: every kind of
# doubt the fast paths must hand on to the full reading (§7 duplicates, quoted
# cells, bad levels, "2.0" levels, spaces, short rows, CRLF, invalid UTF-8).
# Synthetic data only.
#   python3 benches/messy_cohort.py COHORT.csv MESSY.csv
import sys
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, 'rb').read().split(b'\n')
header, rows = lines[0], [l for l in lines[1:] if l]
out = [header]
for i, r in enumerate(rows):
    cells = r.split(b',')
    k = i % 211
    if k == 3:   out.append(r)                      # same-date duplicate follows
    elif k == 5: cells[4] = b'"' + cells[4] + b'"'
    elif k == 7: cells[5] = b'7'
    elif k == 11: cells[6] = b'2.0' if cells[6] not in (b'',) else cells[6]
    elif k == 13: cells[7] = b' ' + cells[7]
    elif k == 17: cells = cells[:-1]
    elif k == 19: cells[8] = b'\xff'
    elif k == 23: cells[1] = b'2025-02-30'
    elif k == 29: cells[4] = b'"1,2"'
    elif k == 31: cells[9] = b''
    elif k == 37: cells[0] = b'"' + cells[0] + b'"'
    elif k == 41: cells[3] = b''
    elif k == 43: cells[10] = b'+1'
    elif k == 47: cells[11] = b'01'
    line = b','.join(cells)
    if k == 53: line += b'\r'
    out.append(line)
open(dst, 'wb').write(b'\n'.join(out) + b'\n')
