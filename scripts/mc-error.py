#!/usr/bin/env python3
"""The Monte Carlo error of the two-level analysis: how much its figures for the net
municipal effect move when only the seed changes.

usage: scripts/mc-error.py [--binary B] [--seeds K] [--write] [RUN ...]

Each RUN is what follows `trappe run` (a scenario and any options, in one argument,
e.g. "scenarios/staircase-default.toml --inner 10"). Every RUN is run with seeds 1 to
K (default 10); the script prints a Markdown table with a row per RUN and, per
figure, the mean over the seeds ± the standard deviation between them: the Monte Carlo
error of one run. The figures are those of the net municipal effect: `expected`,
`expected_p05`, `expected_p95`, `chance_sd` and `parameter_share` from summary.csv,
the decision figure (the probability that the expected net municipal effect is
favourable) from the terminal, and the probability that a realised cohort saves money
(`net_effect_positive`).

With --write (and no RUN), the table for the runs in docs/outputs.md's block
`<!-- mc-error: RUN; RUN; ... -->` ... `<!-- /mc-error -->` is written between the
markers, so the figures quoted there are the ones the binary gives.
"""

import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "outputs.md")
BLOCK = re.compile(r"(<!-- mc-error: (?P<runs>[^>]*?) -->\n)(?P<body>.*?)(<!-- /mc-error -->)", re.S)
DECISION = "probability that the expected net municipal effect is favourable:"
FIGURES = [
    ("expected", "DKK"),
    ("expected_p05", "DKK"),
    ("expected_p95", "DKK"),
    ("chance_sd", "DKK"),
    ("parameter_share", "%"),
    ("decision", "%"),
    ("realised", "%"),
]
LABELS = {
    "expected": "expected net effect",
    "expected_p05": "`expected_p05`",
    "expected_p95": "`expected_p95`",
    "chance_sd": "`chance_sd`",
    "parameter_share": "`parameter_share`",
    "decision": "P(expected net effect favourable)",
    "realised": "P(realised cohort saves)",
}


def one_run(binary, run, seed, tmp):
    """The figures of one run with `seed`."""
    out = os.path.join(tmp, "out")
    args = [binary, "run", *run.split(), "--seed", str(seed), "-q", "-o", out, "--force"]
    text = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    figures = {}
    with open(os.path.join(out, "summary.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["section"] != "effect":
                continue
            if row["metric"] == "net_municipal_effect":
                for k in ["expected", "expected_p05", "expected_p95", "chance_sd", "parameter_share"]:
                    figures[k] = float(row[k]) if row[k] else None
            if row["metric"] == "net_effect_positive":
                figures["realised"] = float(row["mean"])
    decision = next((line for line in text.splitlines() if line.strip().startswith(DECISION)), "")
    m = re.search(r"([0-9.]+) %$", decision.strip())
    figures["decision"] = float(m.group(1)) / 100 if m else None
    return figures


def fmt(v, unit):
    if v is None:
        return "empty"
    if unit == "%":
        return f"{100 * v:.1f} %"
    return f"{v:,.0f}".replace("-", "−")


def table(binary, runs, seeds):
    """One row per RUN: each figure's mean over the seeds ± its standard deviation
    between them."""
    lines = [
        "| `trappe run …` (seeds 1 to %d) | %s |" % (seeds, " | ".join(LABELS[k] for k, _ in FIGURES)),
        "|---" * (len(FIGURES) + 1) + "|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for run in runs:
            per_seed = [one_run(binary, run, s, tmp) for s in range(1, seeds + 1)]
            cells = []
            for key, unit in FIGURES:
                values = [f[key] for f in per_seed]
                if any(v is None for v in values):
                    cells.append("empty")
                else:
                    cells.append(f"{fmt(statistics.fmean(values), unit)} ± {fmt(statistics.stdev(values), unit)}")
            lines.append(f"| `{run}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv):
    binary = os.path.join(ROOT, "target", "release", "trappe")
    seeds, write, runs = 10, False, []
    it = iter(argv)
    for a in it:
        if a == "--binary":
            binary = os.path.abspath(next(it))
        elif a == "--seeds":
            seeds = int(next(it))
        elif a == "--write":
            write = True
        else:
            runs.append(a)
    if not write:
        sys.stdout.write(table(binary, runs, seeds))
        return
    with open(DOC) as f:
        doc = f.read()

    def fill(m):
        block_runs = [r.strip() for r in m.group("runs").split(";") if r.strip()]
        return m.group(1) + table(binary, block_runs, seeds) + m.group(4)

    new, count = BLOCK.subn(fill, doc)
    if count == 0:
        sys.exit("docs/outputs.md has no <!-- mc-error: ... --> block")
    with open(DOC, "w") as f:
        f.write(new)


if __name__ == "__main__":
    main(sys.argv[1:])
