"""Draw docs/reliability.png: do our probabilities mean what they say?

Backtests the default model (`trend`, calibrated only on held-out years up to 2018) on M3
yearly (h = 6) and on the bundled Chinese provincial series (held-out years 2019-2023), and
plots, for planner-style threshold targets, the observed frequency of meeting the target
against the stated probability. A calibrated forecaster lies on the diagonal.

    python benchmarks/reliability_figure.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import ROOT, UNTIL, calibration_until, m3_csv

BIN = Path(sys.executable).parent


EVIDENCE = ROOT / "forecast" / "data" / "calibration_evidence.json"


def diagram(data: Path, options: list[str], folder: Path, name: str
            ) -> tuple[pd.DataFrame, dict, dict]:
    out = folder / name
    subprocess.run([str(BIN / "forecast"), "backtest", str(data), *options, "--draws", "2000",
                    "--calibration", str(calibration_until(folder)), "--out", str(out), "-q"],
                   check=True)
    summary = json.loads((out / "summary.json").read_text())
    tp = summary["threshold_probabilities"]
    return pd.DataFrame(tp["reliability_diagram"]), tp, summary


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        obs = pd.read_csv(ROOT / "data" / "observations.csv")
        cn = folder / "cn.csv"
        obs[obs["region"] != "湘潭市"].to_csv(cn, index=False)
        panels = [
            ("M3 yearly (645 series, h = 1-6)",
             diagram(m3_csv(folder), ["--kind", "amount", "--holdout", "6"], folder, "m3")),
            (f"Chinese provinces, 6 indicators, held-out years {UNTIL + 1}-2023",
             diagram(cn, ["--holdout", "3", "--origins", "3", "--after", str(UNTIL)], folder,
                     "cn")),
        ]
    fig, ax = plt.subplots(figsize=(6, 5.2), dpi=120)
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="perfectly calibrated")
    for (label, (table, tp, _)), marker in zip(panels, ("o", "s"), strict=True):
        t = table[table["count"] > 0]
        ax.plot(t["forecast"], t["observed"], marker=marker, lw=1.5,
                label=f"{label}\nBrier {tp['brier']:.3f}, reliability {tp['reliability']:.4f}, "
                f"{tp['events']} targets")
    ax.set_xlabel("stated probability that the target is met")
    ax.set_ylabel("share of those targets actually met")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Reliability of `forecast` probabilities (default model)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = ROOT / "docs" / "reliability.png"
    fig.savefig(out)
    print(f"wrote {out}")
    for label, (_, tp, _) in panels:
        print(label, json.dumps({k: round(v, 4) for k, v in tp.items()
                                 if isinstance(v, float)}))
    write_evidence(panels)


LABELS_ZH = ("M3 竞赛年度序列(645 条,预测 1–6 年)",
             f"中国各省 6 项指标,留出年份 {UNTIL + 1}–2023")


def write_evidence(panels: list) -> None:
    """The backtests behind the figure, for the calibration appendix of every report."""
    evidence = {
        "model": "trend",
        "command": "python benchmarks/reliability_figure.py",
        "backtests": [{
            "label": label, "label_zh": label_zh,
            "events": tp["events"], "brier": tp["brier"], "reliability": tp["reliability"],
            "resolution": tp["resolution"],
            "reliability_diagram": tp["reliability_diagram"],
            "coverage_80": summary["coverage_80"], "coverage_95": summary["coverage_95"],
            "series_origins": summary["series_origins"],
        } for (label, (_, tp, summary)), label_zh in zip(panels, LABELS_ZH, strict=True)],
    }
    EVIDENCE.write_text(json.dumps(evidence, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    print(f"wrote {EVIDENCE}")


if __name__ == "__main__":
    main()
