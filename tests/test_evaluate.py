"""Scoring (pipeline.evaluate) on small hand-made gold/prediction pairs, with exact numbers."""
import json

import pytest

from pipeline.annotations import AnnotationError, build_annotations, check_example, doc_annotations, split_of
from pipeline.evaluate import evaluate, format_metrics, link_gold_entities, score_records, score_relations, score_spans
from pipeline.record_fields import derive_record, gold_form, match_items, norm_request
from pipeline.text import OffsetMap


def _ex(spans, relations=()):
    return {
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        "relations": [{"head": h, "child": c, "label": label} for h, c, label in relations],
    }


# ----------------------------------------------------------------- entities


def test_spans_exact_and_overlap():
    gold = _ex([(0, 5, "DRUG"), (10, 15, "DRUG"), (20, 25, "STRENGTH")])
    pred = _ex([(0, 5, "DRUG"), (11, 15, "DRUG"), (30, 35, "STRENGTH"), (40, 45, "DATE")])
    scores = score_spans([gold], [pred])
    exact, overlap = scores["exact"], scores["overlap"]
    assert exact["DRUG"] == {"p": 0.5, "r": 0.5, "f": 0.5, "gold": 2, "pred": 2, "tp": 1}
    assert overlap["DRUG"] == {"p": 1.0, "r": 1.0, "f": 1.0, "gold": 2, "pred": 2, "tp": 2}
    assert exact["STRENGTH"] == {"p": 0.0, "r": 0.0, "f": 0.0, "gold": 1, "pred": 1, "tp": 0}
    assert exact["DATE"] == {"p": 0.0, "r": 0.0, "f": 0.0, "gold": 0, "pred": 1, "tp": 0}
    # micro over the entity labels: 1 of 4 predicted right, 1 of 3 gold found
    assert exact["ALL"] == {"p": 0.25, "r": 0.3333, "f": 0.2857, "gold": 3, "pred": 4, "tp": 1}
    assert overlap["ALL"] == {"p": 0.5, "r": 0.6667, "f": 0.5714, "gold": 3, "pred": 4, "tp": 2}
    assert "ITEM" not in exact


def test_overlap_counts_precision_and_recall_separately():
    # one long prediction overlapping two gold spans: precision 1/1, recall 2/2
    gold = _ex([(0, 4, "TREATMENT"), (6, 10, "TREATMENT")])
    pred = _ex([(2, 8, "TREATMENT")])
    o = score_spans([gold], [pred])["overlap"]["TREATMENT"]
    assert (o["p"], o["r"], o["f"]) == (1.0, 1.0, 1.0)
    e = score_spans([gold], [pred])["exact"]["TREATMENT"]
    assert (e["p"], e["r"], e["f"]) == (0.0, 0.0, 0.0)


def test_spans_sum_over_letters_and_item_labels_are_scored_apart():
    g1, p1 = _ex([(0, 5, "DRUG"), (0, 30, "ITEM")]), _ex([(0, 5, "DRUG"), (0, 29, "ITEM")])
    g2, p2 = _ex([(3, 9, "DRUG")]), _ex([])
    scores = score_spans([g1, g2], [p1, p2])
    assert scores["exact"]["DRUG"] == {"p": 1.0, "r": 0.5, "f": 0.6667, "gold": 2, "pred": 1, "tp": 1}
    assert scores["exact"]["ITEM"]["tp"] == 0
    assert scores["overlap"]["ITEM"]["f"] == 1.0
    assert scores["exact"]["ALL"]["gold"] == 2  # ITEM is not an entity label


# ----------------------------------------------------------------- relations


def test_relations_per_label():
    spans = [(0, 20, "ITEM"), (0, 5, "DRUG"), (6, 10, "STRENGTH"), (11, 15, "QUANTITY"), (30, 40, "GUIDELINE")]
    gold = _ex(spans, [(0, 1, "HAS_DRUG"), (0, 2, "HAS_STRENGTH"), (0, 3, "HAS_QUANTITY"), (0, 4, "CITED_BY_REVIEWER")])
    pred = _ex(
        spans[:3] + [(12, 15, "QUANTITY"), (30, 40, "GUIDELINE")],
        [(0, 1, "HAS_DRUG"), (0, 2, "HAS_STRENGTH"), (0, 3, "HAS_QUANTITY"), (0, 4, "CITED_BY_CLAIMS_ADMINISTRATOR")],
    )
    scores = score_relations([gold], [pred])
    assert scores["HAS_DRUG"]["f"] == 1.0
    assert scores["HAS_QUANTITY"] == {"p": 0.0, "r": 0.0, "f": 0.0, "gold": 1, "pred": 1, "tp": 0}  # child span differs
    assert scores["CITED_BY_REVIEWER"] == {"p": 0.0, "r": 0.0, "f": 0.0, "gold": 1, "pred": 0, "tp": 0}
    assert scores["CITED_BY_CLAIMS_ADMINISTRATOR"] == {"p": 0.0, "r": 0.0, "f": 0.0, "gold": 0, "pred": 1, "tp": 0}
    assert scores["ALL"] == {"p": 0.5, "r": 0.5, "f": 0.5, "gold": 4, "pred": 4, "tp": 2}


def test_relations_compare_offsets_not_span_indices():
    gold = _ex([(0, 20, "ITEM"), (0, 5, "DRUG")], [(0, 1, "HAS_DRUG")])
    pred = _ex([(0, 5, "DRUG"), (0, 20, "ITEM")], [(1, 0, "HAS_DRUG")])
    assert score_relations([gold], [pred])["ALL"]["f"] == 1.0


# ----------------------------------------------------------------- records


def _item(request, **fields):
    base = {"request": request, "decision": "upheld", "medically_necessary": False, "drug": None,
            "strength": None, "quantity": None,
            "guideline_sources": {"claims_administrator": ["MTUS"], "reviewer": ["MTUS"]}}
    base.update(fields)
    return base


def test_records_items_matched_by_normalized_request_and_fields():
    gold = {
        "layout": "final-determination",
        "patient": {"age": 47, "sex": "male"},
        "reviewer": {"specialties": ["Orthopedic Surgery"], "licensure_states": ["California"]},
        "case": {"date_of_injury": "2013-03-18", "ur_decision_date": "2015-04-06"},
        "items": [
            _item("Norco 10/325mg #120", drug="hydrocodone/acetaminophen", strength={"values": [10, 325], "unit": "mg"}, quantity=120),
            _item("Physical therapy 2x6", quantity=12, decision="overturned", medically_necessary=True),
            _item("MRI of the lumbar spine"),
        ],
    }
    pred = {
        "layout": "final-determination",
        "patient": {"age": 47, "sex": "female"},
        "reviewer": {"specialties": ["Orthopedic Surgery"], "licensure_states": ["California"]},
        "case": {"date_of_injury": "2013-03-18", "ur_decision_date": "2015-04-07", "application_date": None},
        "items": [
            _item("NORCO 10/325mg  #120.", drug="hydrocodone/acetaminophen", strength={"values": [10.0, 325], "unit": "mg"}, quantity=120),
            _item("Physical therapy 2x6", quantity=6, decision="overturned", medically_necessary=True,
                  guideline_sources={"claims_administrator": ["MTUS"], "reviewer": ["MTUS", "ODG"]}),
            _item("Acupuncture x6"),
        ],
    }
    scores = score_records([gold], [pred])
    assert scores["items"] == {"p": 0.6667, "r": 0.6667, "f": 0.6667, "gold": 3, "pred": 3, "tp": 2}
    fields = scores["item_fields"]
    assert (fields["drug"]["correct"], fields["drug"]["total"]) == (2, 2)
    assert (fields["strength"]["correct"], fields["strength"]["total"]) == (2, 2)  # 10 == 10.0
    assert (fields["quantity"]["correct"], fields["quantity"]["total"], fields["quantity"]["accuracy"]) == (1, 2, 0.5)
    assert fields["quantity"]["errors"] == [{"letter": None, "request": "Physical therapy 2x6", "gold": 12, "pred": 6}]
    assert fields["guideline_sources.reviewer"]["correct"] == 1
    assert fields["guideline_sources.claims_administrator"]["correct"] == 2
    assert fields["page"]["total"] == 0 and fields["page"]["accuracy"] is None  # the gold states no page
    letter = scores["letter_fields"]
    assert letter["patient.sex"]["accuracy"] == 0.0
    assert letter["patient.age"]["accuracy"] == 1.0
    assert letter["case.ur_decision_date"]["correct"] == 0
    assert letter["case.date_of_injury"]["correct"] == 1
    assert letter["case.application_date"]["total"] == 0  # not in the gold: not scored
    json.dumps(scores)


def test_booleans_are_not_numbers():
    gold = {"items": [_item("X", medically_necessary=False, quantity=1)]}
    pred = {"items": [_item("X", medically_necessary=0, quantity=True)]}
    fields = score_records([gold], [pred])["item_fields"]
    assert fields["medically_necessary"]["correct"] == 0
    assert fields["quantity"]["correct"] == 0


def test_match_items_one_to_one():
    gold = [{"request": "Norco #60"}, {"request": "Norco #60"}, {"request": "MRI"}]
    pred = [{"request": "norco #60"}, {"request": "MRI."}]
    assert match_items(gold, pred) == [(0, 0), (2, 1)]
    assert norm_request(" Norco 10/325 mg,  #120: ") == "norco 10/325 mg #120"


def test_gold_form_of_a_record():
    record = {
        "layout": "final-determination", "patient": {"age": 60, "sex": "male"},
        "reviewer": {"specialties": [], "licensure_states": []}, "case": {},
        "items": [{
            "request": "Norco 10/325 mg #120", "page": 2,
            "drug": {"text": "Norco", "name": "hydrocodone/acetaminophen", "ids": {}},
            "strength": {"text": "10/325 mg", "values": [10, 325], "unit": "mg"},
            "quantity": {"text": "#120", "value": 120}, "treatment": None,
            "decision": "upheld", "medically_necessary": False,
            "guidelines": [
                {"cited_by": "claims_administrator", "source": "MTUS", "pages": "74-96"},
                {"cited_by": "reviewer", "source": "ODG", "pages": None},
                {"cited_by": "reviewer", "source": "MTUS", "pages": "78-80"},
            ],
            "ur_modification": {"original": "Norco #240", "authorized": "Norco #120"},
        }],
    }
    item = gold_form(record)["items"][0]
    assert item == {
        "request": "Norco 10/325 mg #120", "decision": "upheld", "medically_necessary": False,
        "drug": "hydrocodone/acetaminophen", "strength": {"values": [10, 325], "unit": "mg"}, "quantity": 120,
        "guideline_sources": {"claims_administrator": ["MTUS"], "reviewer": ["ODG", "MTUS"]},
        "guideline_pages": {"claims_administrator": ["74-96"], "reviewer": [None, "78-80"]},
        "ur_modification": {"original_request": "Norco #240", "authorized": "Norco #120"}, "page": 2,
    }


# ----------------------------------------------------------------- checks


def test_check_example_names_letter_and_span():
    ok = {"text": "Norco 10mg #60: Upheld", **_ex([(0, 14, "ITEM"), (0, 5, "DRUG"), (16, 22, "DECISION")], [(0, 1, "HAS_DRUG"), (0, 2, "HAS_DECISION")])}
    check_example(ok, "x1")
    bad = [
        (_ex([(0, 99, "DRUG")]), "x1: span 0 DRUG [0:99]: out of range"),
        (_ex([(5, 5, "DRUG")]), "x1: span 0 DRUG [5:5]: start must be less than end"),
        (_ex([(0, 5, "DRUG"), (3, 8, "STRENGTH")]), "x1: span 1 STRENGTH [3:8] overlaps span 0 DRUG [0:5]"),
        (_ex([(0, 5, "DRUGS")]), "unknown label 'DRUGS'"),
        (_ex([(0, 14, "ITEM"), (0, 5, "DRUG")], [(0, 7, "HAS_DRUG")]), "relation 0 HAS_DRUG: its child 7"),
        (_ex([(0, 14, "ITEM"), (0, 5, "DRUG")], [(0, 1, "HAS_STRENGTH")]), "is not a STRENGTH span"),
        (_ex([(0, 14, "ITEM"), (0, 5, "DRUG")], [(1, 0, "HAS_DRUG")]), "is not an ITEM span"),
    ]
    for example, message in bad:
        with pytest.raises(AnnotationError, match=message.replace("[", r"\[")):
            check_example({"text": ok["text"], **example}, "x1")
    # an ITEM may contain entities, and a RATIONALE may overlap an ITEM
    check_example({"text": ok["text"], **_ex([(0, 14, "ITEM"), (0, 5, "DRUG"), (6, 10, "STRENGTH"), (10, 20, "RATIONALE")])}, "x1")


def test_build_annotations_orders_spans_and_dedupes_relations():
    entities = [(20, 25, "DECISION"), (0, 5, "DRUG")]
    items = [{"item": (0, 14, "ITEM"), "rationale": (30, 40, "RATIONALE"),
              "parts": [{"relation": "HAS_DRUG", "key": (0, 5, "DRUG")}, {"relation": "HAS_DRUG", "key": (0, 5, "DRUG")},
                        {"relation": "HAS_DECISION", "key": (20, 25, "DECISION")}]}]
    spans, relations = build_annotations(entities, items)
    assert [(s["start"], s["end"], s["label"]) for s in spans] == [
        (0, 14, "ITEM"), (0, 5, "DRUG"), (20, 25, "DECISION"), (30, 40, "RATIONALE")]
    assert relations == [{"head": 0, "child": 1, "label": "HAS_DRUG"}, {"head": 0, "child": 2, "label": "HAS_DECISION"},
                         {"head": 0, "child": 3, "label": "HAS_RATIONALE"}]


def test_split_of_is_fixed_and_about_70_15_15():
    assert split_of("a001.txt", "seed") == split_of("a001.txt", "seed")
    counts = {"train": 0, "dev": 0, "test": 0}
    for i in range(3000):
        counts[split_of(f"x{i}.txt", "seed")] += 1
    assert 0.66 < counts["train"] / 3000 < 0.74
    assert 0.12 < counts["dev"] / 3000 < 0.18
    assert 0.12 < counts["test"] / 3000 < 0.18


# ----------------------------------------------------------------- with the pipeline


def test_offsets_round_trip_on_double_spaced_text(nlp, seed_texts):
    text = seed_texts["000_f03b8f82d3723e56"]
    doc = nlp(text)
    offsets = OffsetMap(doc._.source_map)
    for ent in doc.ents:
        src = offsets.span(ent.start_char, ent.end_char)
        assert offsets.normalized_span(*src) == (ent.start_char, ent.end_char)
        assert " ".join(text[src[0] : src[1]].split()) == " ".join(ent.text.split())


def test_doc_annotations_match_the_record(nlp, header_letter):
    doc = nlp(header_letter)
    record = doc._.record
    ann = doc_annotations(doc)
    check_example({"text": header_letter, **ann}, "header")
    spans = ann["spans"]
    items = [s for s in spans if s["label"] == "ITEM"]
    assert [(s["start"], s["end"]) for s in items] == [(i["start"], i["end"]) for i in record["items"]]
    entities = {(s["start"], s["end"], s["label"]) for s in spans if s["label"] not in ("ITEM", "RATIONALE")}
    assert entities == {(e["start"], e["end"], e["label"]) for e in record["entities"]}
    first = spans.index(items[0])
    linked = {}
    for r in ann["relations"]:
        if r["head"] == first:
            child = spans[r["child"]]
            linked.setdefault(r["label"], []).append(header_letter[child["start"] : child["end"]])
    assert linked["HAS_DRUG"] == ["Tramadol ER"]
    assert linked["HAS_STRENGTH"] == ["150mg"]
    assert linked["HAS_QUANTITY"] == ["#30"]
    assert linked["HAS_DECISION"] == ["Upheld"]
    # "MTUS Chronic Pain Medical Treatment 2016 ... and ODG Low Back Chapter": the source names
    assert [t.split()[0] for t in linked["CITED_BY_REVIEWER"]] == ["MTUS", "Official", "ODG"]
    assert "CITED_BY_CLAIMS_ADMINISTRATOR" not in linked  # "did not cite any medical evidence"
    assert linked["HAS_RATIONALE"][0].startswith("There is no documented functional improvement")


def test_derived_record_agrees_with_the_pipeline_record(nlp, header_letter):
    doc = nlp(header_letter)
    ann = doc_annotations(doc)
    derived = derive_record({"text": header_letter, **ann}, nlp)
    record = gold_form(doc._.record)
    fields = ("request", "decision", "medically_necessary", "drug", "strength", "quantity", "guideline_sources", "page")
    assert [{k: i[k] for k in fields} for i in derived["items"]] == [{k: i[k] for k in fields} for i in record["items"]]


def test_gold_entities_relink_like_the_pipeline(nlp, header_letter):
    doc = nlp(header_letter)
    ann = doc_annotations(doc)
    relinked = link_gold_entities(nlp, nlp(header_letter), ann["spans"])
    assert score_relations([ann], [relinked])["ALL"]["f"] == 1.0
    # without the strength entity the linker cannot draw HAS_STRENGTH
    no_strength = [s for s in ann["spans"] if s["label"] != "STRENGTH"]
    relinked = link_gold_entities(nlp, nlp(header_letter), no_strength)
    scores = score_relations([ann], [relinked])
    assert scores["HAS_STRENGTH"]["r"] == 0.0 and scores["HAS_DRUG"]["f"] == 1.0


def test_evaluate_end_to_end_with_a_perturbed_gold(nlp, header_letter):
    doc = nlp(header_letter)
    ann = doc_annotations(doc)
    record = gold_form(doc._.record)
    perfect = {"text": header_letter, "meta": {"id": "h", "split": "test"}, "spans": ann["spans"], "relations": ann["relations"], "record": record}
    metrics = evaluate([perfect], nlp)
    assert metrics["entities"]["exact"]["ALL"]["f"] == 1.0
    assert metrics["relations"]["end_to_end"]["ALL"]["f"] == 1.0
    assert metrics["relations"]["gold_entities"]["ALL"]["f"] == 1.0
    assert metrics["records"]["items"]["f"] == 1.0
    # the gold says 60 pills where the pipeline reads 30, and adds an item the pipeline misses
    wrong = json.loads(json.dumps(perfect))
    wrong["record"]["items"][0]["quantity"] = 60
    wrong["record"]["items"].append({"request": "Acupuncture x6", "decision": "upheld"})
    metrics = evaluate([wrong], nlp)
    assert metrics["records"]["items"] == {"p": 1.0, "r": 0.6667, "f": 0.8, "gold": 3, "pred": 2, "tp": 2}
    assert metrics["records"]["item_fields"]["quantity"]["correct"] == 1
    assert metrics["records"]["item_fields"]["quantity"]["total"] == 2
    table = format_metrics(metrics)
    assert "HAS_QUANTITY" in table and "quantity" in table and "DRUG" in table
    json.dumps(metrics)


def test_evaluate_derives_records_when_a_line_has_none(nlp, header_letter):
    ann = doc_annotations(nlp(header_letter))
    line = {"text": header_letter, "meta": {"id": "h", "layout": "final-determination"}, "spans": ann["spans"], "relations": ann["relations"]}
    metrics = evaluate([line], nlp)
    assert metrics["records_derived_from_spans"] == 1
    assert metrics["records"]["items"]["f"] == 1.0
    assert metrics["records"]["item_fields"]["decision"] == {"correct": 2, "total": 2, "accuracy": 1.0, "errors": []}
    assert metrics["records"]["letter_fields"]["layout"]["correct"] == 1
