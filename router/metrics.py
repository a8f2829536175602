"""Classification report: per-intent precision/recall/F1, macro-F1, accuracy, confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass, field

from router.data import INTENTS


@dataclass
class ClassificationReport:
    """Scores of one classifier on one labelled set. Primary metric: ``macro_f1``."""

    name: str
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    macro_f1: float = 0.0
    accuracy: float = 0.0
    confusion: list[list[int]] = field(default_factory=list)
    labels: tuple[str, ...] = INTENTS
    primary_metric = "macro_f1"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "macro_f1": self.macro_f1,
            "accuracy": self.accuracy,
            "per_intent": self.per_intent,
            "confusion": self.confusion,
            "labels": list(self.labels),
        }


def classification_report(
    name: str, gold: list[str], predicted: list[str], labels: tuple[str, ...] = INTENTS
) -> ClassificationReport:
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        confusion[index[g]][index[p]] += 1
    per_intent: dict[str, dict[str, float]] = {}
    for label, i in index.items():
        tp = confusion[i][i]
        fp = sum(confusion[r][i] for r in range(len(labels))) - tp
        fn = sum(confusion[i]) - tp
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": float(sum(confusion[i])),
        }
    macro = sum(v["f1"] for v in per_intent.values()) / len(labels)
    accuracy = sum(confusion[i][i] for i in range(len(labels))) / max(1, len(gold))
    return ClassificationReport(name, per_intent, macro, accuracy, confusion, labels)


def format_side_by_side(reports: list[ClassificationReport]) -> str:
    """Per-intent P/R/F1 for several classifiers in one table, then macro-F1 and accuracy."""
    labels = reports[0].labels
    head = f"{'intent':<16}" + "".join(f"{r.name[:22]:>24}" for r in reports)
    sub = f"{'':<16}" + "".join(f"{'P':>8}{'R':>8}{'F1':>8}" for _ in reports)
    lines = [head, sub, "-" * len(sub)]
    for label in labels:
        row = f"{label:<16}"
        for r in reports:
            m = r.per_intent[label]
            row += f"{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
        lines.append(row)
    lines.append("-" * len(sub))
    lines.append(f"{'macro-F1':<16}" + "".join(f"{r.macro_f1:>24.3f}" for r in reports))
    lines.append(f"{'accuracy':<16}" + "".join(f"{r.accuracy:>24.3f}" for r in reports))
    return "\n".join(lines)


def format_confusion(report: ClassificationReport) -> str:
    """Rows: gold intent; columns: predicted (abbreviated)."""
    short = [label[:7] for label in report.labels]
    lines = [
        f"confusion matrix — {report.name} (rows gold, columns predicted)",
        f"{'':<16}" + "".join(f"{s:>9}" for s in short),
    ]
    for label, row in zip(report.labels, report.confusion, strict=True):
        lines.append(f"{label:<16}" + "".join(f"{v:>9}" for v in row))
    return "\n".join(lines)
