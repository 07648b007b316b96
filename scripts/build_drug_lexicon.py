"""Generate patterns/drugs.jsonl and patterns/drug_ids.json from a maintained drug dictionary.

The dictionary is the MIT-licensed ``drug-named-entity-recognition`` package
(Fast Data Science): about 20,000 drugs with their brand names and synonyms,
DrugBank and MeSH ids. This script reads its data file (it does not import the
package, which reads and writes files in the home folder at import time) and
keeps what are drugs:

- entries with a DrugBank id (MeSH-only entries are mostly proteins, receptors and
  drug classes), keeping their MeSH id too;
- names of at least four characters, without digits, of at most four words;
- names that are not common English words (spaCy's English word probabilities,
  from spacy-lookups-data), so "Focus" or "Balance" never become drugs, nor
  listed in patterns/drug_exclusions.json (procedures such as platelet-rich
  plasma, body chemistry named in rationales).

Then it adds what workers' compensation letters use and the dictionary lacks
(patterns/drug_extras.jsonl: combination brands such as Norco, compounded
products, abbreviations such as APAP, common misspellings such as
"Carsoprodol"); an extra overrides the dictionary for the same name.

    python scripts/build_drug_lexicon.py   (spacy project run lexicon)

The pipeline never loads the package at run time: the output is data in patterns/.
"""
from __future__ import annotations

import bz2
import importlib.resources as resources
import json
import pickle
import re
from pathlib import Path
from typing import Dict, Iterable, Tuple

import srsly
import typer

ROOT = Path(__file__).resolve().parent.parent
COMMON_WORD_LOGPROB = -12.5  # more frequent than this in English text: a common word
_JOIN = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|,\s*|\s*/\s*)\s*")


def load_dictionary() -> dict:
    data = resources.files("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(str(data), "rb") as fh:
        return pickle.load(fh)


def common_words() -> Dict[str, float]:
    path = resources.files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz"
    return srsly.read_gzip_json(str(path))


def generic_name(canonical: str) -> str:
    """The dictionary's canonical name as the record writes it: lower case, combinations with "/"."""
    return "/".join(part for part in _JOIN.split(canonical.lower().strip()) if part)


def keep(variant: str, probs: Dict[str, float]) -> bool:
    if len(variant) < 4 or any(c.isdigit() for c in variant) or len(variant.split()) > 4:
        return False
    if not re.fullmatch(r"[a-z][a-z .'\-/]*[a-z.]", variant):  # no inverted "hydrochloride, x" names
        return False
    return probs.get(variant, -99.0) < COMMON_WORD_LOGPROB


def dictionary_entries(d: dict, probs: Dict[str, float]) -> Iterable[Tuple[str, str, Dict[str, str]]]:
    """(surface form, generic name, ids) for every kept variant."""
    canonical_data = d["drug_canonical_to_data"]
    for variant, canonicals in d["drug_variant_to_canonical"].items():
        if not canonicals:
            continue
        data = canonical_data.get(canonicals[0], {})
        ids = {k: data[k] for k in ("drugbank_id", "mesh_id") if data.get(k)}
        if "drugbank_id" not in ids or not keep(variant.lower(), probs):
            continue
        yield variant.lower(), generic_name(canonicals[0]), ids


def main(
    extras: Path = typer.Option(ROOT / "patterns" / "drug_extras.jsonl", help="Hand-kept additions (ruler patterns)."),
    exclusions: Path = typer.Option(ROOT / "patterns" / "drug_exclusions.json", help="Names that are not drugs in these letters."),
    output: Path = typer.Option(ROOT / "patterns" / "drugs.jsonl", help="Generated ruler patterns."),
    ids_output: Path = typer.Option(ROOT / "patterns" / "drug_ids.json", help="Generated ids of each generic name."),
) -> None:
    d = load_dictionary()
    probs = common_words()
    excluded = set(srsly.read_json(exclusions)["names"])
    forms: Dict[str, str] = {}
    ids: Dict[str, Dict[str, str]] = {}
    for form, generic, found in dictionary_entries(d, probs):
        if form in excluded:
            continue
        forms.setdefault(form, generic)
        if "/" not in generic:
            ids.setdefault(generic, {"drugbank": found.get("drugbank_id"), "mesh": found.get("mesh_id")})
    added = 0
    for line in srsly.read_jsonl(extras):
        if forms.get(line["pattern"]) != line["id"]:
            added += 1
        forms[line["pattern"]] = line["id"]
    # Ids of generic names the extras introduce, where the dictionary knows the name.
    canonical_data = d["drug_canonical_to_data"]
    for generic in set(forms.values()):
        for part in generic.split("/"):
            if part not in ids and part in canonical_data:
                data = canonical_data[part]
                if data.get("drugbank_id"):
                    ids[part] = {"drugbank": data.get("drugbank_id"), "mesh": data.get("mesh_id")}
    rows = [{"label": "DRUG", "pattern": form, "id": generic} for form, generic in sorted(forms.items())]
    srsly.write_jsonl(output, rows)
    ids_clean = {g: {k: v for k, v in i.items() if v} for g, i in sorted(ids.items())}
    ids_output.write_text(json.dumps(ids_clean, indent=0, sort_keys=True) + "\n", encoding="utf8")
    typer.echo(f"{len(rows)} drug names ({len(set(forms.values()))} generic names, {added} from extras) -> {output}")
    typer.echo(f"ids of {len(ids_clean)} generic names -> {ids_output}")


if __name__ == "__main__":
    typer.run(main)
