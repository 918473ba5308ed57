#!/usr/bin/env python3
"""Regenerate the figures in docs/cases.md from runs of the shipped scenarios.

usage: scripts/gen-cases.py [BINARY]     (default: target/release/trappe)

docs/cases.md is hand-written prose with generated blocks. Each block starts with a
marker comment and ends with `<!-- /trappe -->`; this script rewrites what lies
between them, and leaves everything else alone. Running it twice changes nothing.

* `<!-- trappe: version -->`: the output of `trappe --version`, as a code block.
* `<!-- trappe: run SCENARIO [ARGS...] -->`: `trappe run SCENARIO [ARGS...]` as the
  terminal shows it, as a code block. The run writes into a temporary folder; the
  last line names the folder, and shows the default one (`results/<file name>`).
* `<!-- trappe: table` ... `-->`: a Markdown table whose cells are taken from the
  terminal output of runs. The comment's body is TOML:

      first = "setting"                       # header of the first column
      columns = [["net municipal effect, DKK", "Net municipal effect:", 1], ...]

      [[row]]
      label = "as shipped"                    # first cell
      run = "scenarios/x.toml -n 200"         # what follows `trappe run`
      replace = [["old text", "new text"]]    # optional: edits of a copy of the file

  A column is [header, line, field]: the cell comes from the first output line that
  starts (after its indentation) with `line`; what follows the label is split into
  fields at runs of two or more spaces, and `field` picks one (from 1), or all
  joined by " / " (0). Each `replace` text must occur exactly once in the file.

Every run uses the scenario's own seed and the default engine (count), so the
figures are what `trappe run` prints for the same command. tests/it/cases_doc.rs checks
the blocks against the binary and fails when one differs.
"""

import os
import re
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "cases.md")
END = "<!-- /trappe -->"


def clean(text):
    """Lines of program output, trailing spaces and trailing empty lines removed."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


class Runner:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.cache = {}

    def run(self, command, replace=()):
        """Terminal output of `trappe run COMMAND` (on an edited copy if `replace`)."""
        key = (command, tuple(tuple(r) for r in replace))
        if key in self.cache:
            return self.cache[key]
        n = len(self.cache)
        tokens = command.split()
        scenario = tokens[0]
        if replace:
            with open(os.path.join(ROOT, scenario), encoding="utf-8") as f:
                text = f.read()
            for old, new in replace:
                count = text.count(old)
                if count != 1:
                    sys.exit(f"{scenario}: {old!r} occurs {count} times (must be once)")
                text = text.replace(old, new)
            os.makedirs(os.path.join(self.tmp, f"edit{n}"))
            scenario = os.path.join(self.tmp, f"edit{n}", os.path.basename(scenario))
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(text)
        out = os.path.join(self.tmp, f"out{n}")
        argv = [self.binary, "run", scenario, *tokens[1:], "--out", out, "-q"]
        print("  " + " ".join(argv[1:]), file=sys.stderr)
        p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"trappe run {command} failed:\n{p.stderr}")
        stem = os.path.splitext(os.path.basename(tokens[0]))[0]
        lines = clean(p.stdout.replace(out, f"results/{stem}"))
        self.cache[key] = lines
        return lines


def cell(lines, label, field):
    for line in lines:
        text = line.lstrip()
        if text.startswith(label):
            fields = [f.strip() for f in re.split(r" {2,}", text[len(label):].strip()) if f.strip()]
            if field == 0:
                return " / ".join(fields)
            if field > len(fields):
                sys.exit(f"line {label!r} has {len(fields)} fields, not {field}")
            return fields[field - 1]
    sys.exit(f"no output line starts with {label!r}")


def render(kind, arg, body, runner):
    """The lines a block holds."""
    if kind == "version":
        p = subprocess.run([runner.binary, "--version"], capture_output=True, text=True, check=True)
        return ["```text", "$ trappe --version", *clean(p.stdout), "```"]
    if kind == "run":
        return ["```text", f"$ trappe run {arg}", *runner.run(arg), "```"]
    spec = tomllib.loads(body)
    columns = spec["columns"]
    out = [
        "| " + " | ".join([spec["first"]] + [c[0] for c in columns]) + " |",
        "|" + "---|" * (len(columns) + 1),
    ]
    for row in spec["row"]:
        lines = runner.run(row["run"], row.get("replace", []))
        cells = [row["label"]] + [cell(lines, c[1], c[2]) for c in columns]
        out.append("| " + " | ".join(cells) + " |")
    return out


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/trappe"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary}: no such program (build it with `cargo build --release`)")
    with open(DOC, encoding="utf-8") as f:
        lines = f.read().split("\n")
    result = []
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(binary, tmp)
        i = 0
        while i < len(lines):
            line = lines[i]
            result.append(line)
            i += 1
            m = re.match(r"<!-- trappe: (version|run|table)\b ?(.*?)( -->)?$", line)
            if not m:
                continue
            kind, arg, body = m.group(1), m.group(2).strip(), ""
            if kind == "table":
                start = i
                while i < len(lines) and lines[i] != "-->":
                    i += 1
                body = "\n".join(lines[start:i])
                result.extend(lines[start : i + 1])
                i += 1
            end = i
            while end < len(lines) and lines[end] != END:
                end += 1
            if end == len(lines):
                sys.exit(f"docs/cases.md:{i}: no {END} after the marker")
            result.extend(render(kind, arg, body, runner))
            result.append(END)
            i = end + 1
    new = "\n".join(result)
    with open(DOC, encoding="utf-8") as f:
        old = f.read()
    if new != old:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(new)
        print("docs/cases.md regenerated", file=sys.stderr)
    else:
        print("docs/cases.md unchanged", file=sys.stderr)


if __name__ == "__main__":
    main()
