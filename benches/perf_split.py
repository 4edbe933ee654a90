# Splits a flat perf profile of `vsend score` into its stages by symbol name
# (inlined code counts where it was inlined; a memmove or a kernel page fault
# cannot be told apart by stage and is shown on its own).
#   perf record -F 4999 -o perf.data target/release/vsend score IN.csv -o OUT.csv
#   python3 benches/perf_split.py perf.data [HZ]
import re, subprocess, sys, collections
rules = [
  ("duplicate check", r"seen::|SeenDates|ChildIndex|hashbrown|Histories|history::|add_date|timeline::|BTree"),
  ("formatting", r"ScoredRow::cells|push_csv_row|push_text|JsonCell"),
  ("scoring", r"score::|ReviewLevels|ScoredRow::of|ScoredRow::new|scores|primary|DomainScores"),
  ("formatting", r"vsend_io::write::|ryu::|itoa::|RowWriter|Line::|push_cell|fmt::|serde_json::ser"),
  ("parsing (read, split, validate)", r"read_plain|plain_|parse|from_utf8|Column|DomainVector|Reader::read|LineReader|read::|memchr|jiff|Assessment|SettingId::new|ChildId::new|Record|split_fields|from_cells|_copy_to_iter|filemap_read|filemap_get|copy_user|ext4_file_read|touch_atime|page_cache_ra"),
  ("writing (write(2), page cache, ext4)", r"copy_folio_from_iter|ext4|block_|mpage|folio|generic_perform_write|iomap|write_begin|write_end|jbd2|balance_dirty|__mark_inode|mark_buffer|xas_|filemap_add|file_update_time|fdget|vfs_write|ksys_write"),
  ("memmove (chunk copies)", r"memmove|memcpy"),
  ("allocation", r"malloc|free|realloc|_int_|alloc::"),
]
data = subprocess.run(["perf", "report", "-i", sys.argv[1], "--no-children", "--sort", "symbol", "--stdio"],
                      capture_output=True, text=True).stdout
tot = collections.Counter()
for line in data.splitlines():
    m = re.match(r"\s+([\d.]+)%\s+\[(.)\]\s+(.*?)\s{2,}", line + "  ")
    if not m: continue
    pct, _, sym = float(m.group(1)), m.group(2), m.group(3)
    for name, rx in rules:
        if re.search(rx, sym):
            tot[name] += pct; break
    else:
        tot["other (allocation, page faults, threads, kernel)"] += pct
n = len(subprocess.run(["perf", "script", "-i", sys.argv[1], "-F", "ip"], capture_output=True, text=True).stdout.split())
hz = float(sys.argv[2]) if len(sys.argv) > 2 else 4999
for name, pct in tot.most_common():
    print(f"{pct:5.1f}%  {pct / 100 * n / hz * 1000:5.0f} ms  {name}")
