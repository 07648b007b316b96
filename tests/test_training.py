"""A tiny training run: the corpus converts and configs/train.cfg trains (a few steps, in a subprocess)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_convert_and_train_a_few_steps(tmp_path):
    lines = [json.loads(line) for line in (ROOT / "corpus" / "synthetic.jsonl").read_text(encoding="utf8").splitlines()[:4]]
    for i, line in enumerate(lines):
        line["meta"]["split"] = "train" if i < 3 else "dev"
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf8")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "convert_corpus.py"), str(small), "--output", str(tmp_path / "corpus")], check=True, capture_output=True)
    out = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "train.cfg"),
         "--paths.train", str(tmp_path / "corpus" / "train.spacy"), "--paths.dev", str(tmp_path / "corpus" / "dev.spacy"),
         "--output", str(tmp_path / "ner"), "--training.max_steps", "4", "--training.eval_frequency", "2"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "ner" / "model-last" / "ner").is_dir()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "assemble_model.py"), str(tmp_path / "ner" / "model-last"), str(tmp_path / "model")], check=True, capture_output=True)
    code = "import spacy, sys; nlp = spacy.load(sys.argv[1]); print(nlp.pipe_names)"
    names = subprocess.run([sys.executable, "-W", "error", "-c", code, str(tmp_path / "model")], capture_output=True, text=True, check=True).stdout
    assert "'ner'" in names and "'imr_items'" in names
