"""Precision and recall of the notice's rules on generated ledgers in other layouts and wordings
(scripts/evaluate_rules.py) must not fall below what was measured when they were written."""
from scripts.evaluate_rules import evaluate


def test_precision_and_recall_floors(tmp_path):
    stats, misses = evaluate(tmp_path)
    for rule, s in stats.items():
        precision = s["tp"] / (s["tp"] + s["fp"])
        recall = s["tp"] / (s["tp"] + s["fn"])
        assert recall == 1.0, (rule, misses)
        assert precision >= 0.85, (rule, misses)
