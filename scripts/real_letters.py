"""Measure the pipeline on the real letters beside the repository (never committed).

Counts the decided items each letter holds (lines ending in "Upheld" or
"Overturned": an independent count, not the pipeline's cue) against the items
the pipeline finds, checks their decisions, and lists what looks wrong.

    python scripts/real_letters.py ../shared/real-letters/txt [--show 5]
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import typer

_DECIDED = re.compile(r"(Upheld|Overturned)\s*$", re.M)
# The header table as pdftotext lays it out: an independent reading of the case fields.
_HEADER = {
    "case_number": r"Case Number:\s+(\S+)",
    "date_assigned": r"Date Assigned:\s+(\S+)",
    "decision_date": r"Decision Date:\s+(\S+)",
    "date_of_injury": r"Date of Injury:\s+(\S+)",
    "ur_decision_date": r"UR Denial Date:\s+(\S+)",
    "application_date": r"Application\s+(\d\S+)",
}


def _iso(value: str) -> str:
    m = re.match(r"(\d{2})/(\d{2})/(\d{4})$", value)
    return f"{m.group(3)}-{m.group(1)}-{m.group(2)}" if m else value


def header_fields(text: str) -> dict:
    found = {}
    for field, rx in _HEADER.items():
        m = re.search(rx, text)
        if m:
            found[field] = m.group(1) if field == "case_number" else _iso(m.group(1))
    return found


def credential_lines(text: str) -> tuple:
    lic = re.search(r"State\(s\) of Licensure:\s*(.*)", text)
    spec = re.search(r"Certification\(s\)/Specialty:\s*(.*(?:\n(?!\s*\n).*)?)", text)
    states = [s.strip() for s in lic.group(1).split(",") if s.strip()] if lic else []
    n_spec = len([s for s in re.split(r",", spec.group(1).split("\n\n")[0]) if s.strip()]) if spec else 0
    return states, n_spec


def main(folder: Path, show: int = typer.Option(10, help="How many problems of each kind to print.")) -> None:
    import pipeline

    nlp = pipeline.load()
    files = sorted(folder.glob("*.txt"))
    texts = [f.read_text(encoding="utf8") for f in files]
    problems: Counter = Counter()
    examples: dict = {}
    expected_total = found_total = decision_ok = 0
    for path, text, doc in zip(files, texts, nlp.pipe(texts)):
        record = doc._.record
        expected = [m.group(1).lower() for m in _DECIDED.finditer(text)]
        found = [i["decision"] for i in record["items"]]
        expected_total += len(expected)
        found_total += len(found)
        if len(expected) != len(found):
            problems["item count differs"] += 1
            examples.setdefault("item count differs", []).append(f"{path.name}: expected {len(expected)}, found {len(found)}")
        decision_ok += sum(1 for a, b in zip(expected, found) if a == b)
        for field, value in header_fields(text).items():
            if record["case"][field] != value:
                problems[f"{field} differs from header"] += 1
                examples.setdefault(f"{field} differs from header", []).append(f"{path.name}: {record['case'][field]} vs {value}")
        states, n_spec = credential_lines(text)
        if states and record["reviewer"]["licensure_states"] != states:
            problems["licensure states differ"] += 1
            examples.setdefault("licensure states differ", []).append(f"{path.name}: {record['reviewer']['licensure_states']} vs {states}")
        if n_spec and len(record["reviewer"]["specialties"]) != n_spec:
            problems["specialty count differs"] += 1
            examples.setdefault("specialty count differs", []).append(f"{path.name}: {record['reviewer']['specialties']} vs {n_spec}")
        checks = {
            "layout not final-determination": record["layout"] != "final-determination",
            "no reviewer specialty": not record["reviewer"]["specialties"],
            "no licensure state": not record["reviewer"]["licensure_states"],
            "no age": record["patient"]["age"] is None,
            "no sex": record["patient"]["sex"] is None,
        }
        for field, value in record["case"].items():
            checks[f"no {field}"] = value is None
        for item in record["items"]:
            checks.setdefault("item warning", False)
            if item["warnings"]:
                problems["item warning"] += 1
                examples.setdefault("item warning", []).append(f"{path.name}: {item['warnings']}")
            if item["strength"] and not item["drug"]:
                problems["strength without drug"] += 1
                examples.setdefault("strength without drug", []).append(f"{path.name}: {item['request']}")
            if not item["drug"] and not item["treatment"]:
                problems["item with neither drug nor treatment"] += 1
                examples.setdefault("item with neither drug nor treatment", []).append(f"{path.name}: {item['request']}")
            for g in item["guidelines"]:
                if g["source"] == "other":
                    problems["guideline source other"] += 1
                    examples.setdefault("guideline source other", []).append(f"{path.name}: {g['text']}")
        for name, bad in checks.items():
            if bad and name != "item warning":
                problems[name] += 1
                examples.setdefault(name, []).append(path.name)
    print(f"letters: {len(files)}")
    print(f"decided items (lines ending in a decision word): {expected_total}")
    print(f"items found: {found_total}; decisions agreeing in order: {decision_ok}")
    for name, n in problems.most_common():
        print(f"{name}: {n}")
        for ex in examples.get(name, [])[:show]:
            print(f"    {ex}")


if __name__ == "__main__":
    typer.run(main)
