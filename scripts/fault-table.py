#!/usr/bin/env python3
"""Prints the fault-suite table of docs/reliability.md from runtime/target/fault-report/*.json
(written by the fault tests, io.ccf.ar.runtime.faults.FaultReport). Usage: scripts/fault-table.py [DIR]"""
import glob, json, os, sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("runtime", "target", "fault-report")
rows = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(folder, "*.json")))]
if not rows:
    sys.exit(f"no fault reports in {folder}: run make faults (or make test) first")
print("| scenario | what was done | counts | command |")
print("|---|---|---|---|")
for r in rows:
    counts = ", ".join(f"{k} {v}" for k, v in r["counts"].items())
    print(f"| {r['scenario']} | {r['description']} | {counts} | `{r['command']}` |")
