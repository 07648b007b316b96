"""Human-readable views of a record: a text summary and displaCy HTML."""
from __future__ import annotations

from typing import Dict, List

from spacy import displacy
from spacy.tokens import Doc

COLORS = {
    "DRUG": "#f4a3a3", "STRENGTH": "#f7d08a", "QUANTITY": "#f2e394", "DATE": "#c9e4ca",
    "SPECIALTY": "#b8d8f0", "STATE": "#d2c8f0", "DECISION": "#f0b8e0", "GUIDELINE": "#a8e0d8",
    "TREATMENT": "#f9c9a8", "AGE": "#dddddd", "SEX": "#dddddd",
}


def _value(v) -> str:
    return "-" if v in (None, "", []) else str(v)


def summarize(record: Dict) -> str:
    """A few readable lines per letter and per item."""
    case, patient, reviewer = record["case"], record["patient"], record["reviewer"]
    lines: List[str] = [
        f"{record['source'] or '<text>'}  [{record['layout']}]",
        "  case: " + ", ".join(f"{k}={_value(v)}" for k, v in case.items()),
        f"  patient: age {_value(patient['age'])}, sex {_value(patient['sex'])}",
        f"  reviewer: {_value(', '.join(reviewer['specialties']))}; licensed in {_value(', '.join(reviewer['licensure_states']))}",
        f"  items: {len(record['items'])}",
    ]
    for i, item in enumerate(record["items"], start=1):
        what = (item["drug"] or {}).get("name") or (item["treatment"] or {}).get("name")
        strength = item["strength"]
        lines.append(f"  {i}. {item['request']}")
        lines.append(
            f"     decision {_value(item['decision'])}; medically necessary {_value(item['medically_necessary'])}; "
            f"{_value(what)}; strength {_value(strength and strength['text'])}; "
            f"quantity {_value(item['quantity'] and item['quantity']['value'])}"
        )
        if item["ur_modification"]:
            mod = item["ur_modification"]
            lines.append(f"     UR modified: original '{mod['original']}', authorized '{mod['authorized']}'")
        for g in item["guidelines"]:
            extra = ", ".join(x for x in (g["topic"], g["pages"] and f"p. {g['pages']}") if x)
            lines.append(f"     {g['cited_by']}: {g['source']}" + (f" ({extra})" if extra else ""))
        for w in item["warnings"]:
            lines.append(f"     warning: {w}")
    for w in record["warnings"]:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def render_html(doc: Doc) -> str:
    """A standalone displaCy page of the doc's entities."""
    return displacy.render(doc, style="ent", page=True, options={"colors": COLORS})
