"""Benchmark results: a table on stdout and benchmarks/results/latest.json."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

LATEST = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    # value divided by the floor measured in the same run; None where there is no floor.
    ratio: float | None = None
    # The highest acceptable ratio; None where there is none.
    goal: float | None = None

    @property
    def met(self):
        return self.goal is None or self.ratio is None or self.ratio <= self.goal


def table(results):
    rows = [("benchmark", "value", "ratio", "goal", "")]
    for r in results:
        rows.append(
            (
                r.name,
                f"{r.value:.4g} {r.unit}",
                "" if r.ratio is None else f"{r.ratio:.2f}×",
                "" if r.goal is None else f"≤ {r.goal:g}×",
                "" if r.met else "MISSED",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def write(results, path=LATEST):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = [
        {**asdict(r), "value": round(r.value, 6), "ratio": r.ratio and round(r.ratio, 4)}
        for r in results
    ]
    path.write_text(json.dumps(data, indent=2) + "\n")
