#!/usr/bin/env python3
# bench/gpu-round.sh ncusrc: the per-instruction source counters of every profiled launch summed into one small CSV
# (usage: ncu-source.py PAGE.csv OUT.csv), since the full source page of ten launches runs to 85 MB.
import csv, sys, collections
out = collections.OrderedDict(); kernels = 0; hdr = None; base = None
for r in csv.reader(open(sys.argv[1])):
    if not r: continue
    if r[0] == 'Kernel Name': kernels += 1; hdr = None; continue
    if r[0] == 'Address': hdr = r; H = r.index; base = None; continue
    if hdr is None: continue
    a = int(r[0], 16)
    if base is None: base = a
    k = a - base
    st = float(r[H('Warp Stall Sampling (All Samples)')] or 0); ie = float(r[H('Instructions Executed')] or 0)
    th = float(r[H('Avg. Threads Executed')] or 0)
    o = out.setdefault(k, [r[1].strip(), 0.0, 0.0, 0.0])
    o[1] += st; o[2] += ie; o[3] += ie * th
w = csv.writer(open(sys.argv[2], 'w'))
w.writerow(['kernels', kernels])
w.writerow(['Address', 'Source', 'Warp Stall Sampling (All Samples)', 'Instructions Executed', 'Avg. Threads Executed'])
for k, (s, st, ie, tt) in out.items(): w.writerow([hex(k), s, st, ie, tt / ie if ie else 0])
