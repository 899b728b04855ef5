#!/usr/bin/env python3
"""Per-run target table of a sweep folder: python3 targets.py SWEEPDIR [filter-substring]"""
import csv, json, os, sys
d = sys.argv[1]; filt = sys.argv[2] if len(sys.argv) > 2 else ""
print("| run | first_iou80 | iou100@3000 | iou100@6000 | resume_iou80 | fire_final % | focus_lagged 2901-3000 | focus_lagged 5901-6000 | met |")
print("|---|---|---|---|---|---|---|---|---|")
for r in sorted(os.listdir(os.path.join(d, "runs"))):
    if filt not in r: continue
    p = os.path.join(d, "runs", r)
    try:
        s = json.load(open(os.path.join(p, "summary.json")))
        rows = list(csv.DictReader(open(os.path.join(p, "metrics.csv"))))
    except Exception as e:
        continue
    by = {int(x["step"]): x for x in rows}
    def at(t):
        return float(by[t]["iou100"]) if t in by else float("nan")
    def fl(a, b):
        v = [float(by[t]["focus_lagged"]) for t in range(a, b + 1) if t in by]; return sum(v) / len(v) if v else float("nan")
    f80 = s.get("first_iou80", -1); r80 = s.get("resume_iou80", -1); fire = s.get("fire_final", 0)
    i3, i6, f3, f6 = at(3000), at(6000), fl(2901, 3000), fl(5901, 6000)
    ok = [0 < f80 <= 3000, i3 >= 0.9, (i6 >= 0.9) if i6 == i6 else None, (0 < r80 <= 200) if i6 == i6 else None,
          0.001 <= fire <= 0.1, f3 >= 0.5, (f6 >= 0.5) if f6 == f6 else None]
    met = "all" if all(x is not False for x in ok) else "no: " + ",".join(n for n, x in zip(["f80","i3","i6","r80","fire","fl3","fl6"], ok) if x is False)
    print(f"| {r} | {f80} | {i3:.2f} | {i6:.2f} | {r80} | {100*fire:.2f} | {f3:.2f} | {f6:.2f} | {met} |")
