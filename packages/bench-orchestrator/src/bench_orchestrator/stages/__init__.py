"""The stages of a cell, with files between them: infer -> answers.csv, evaluate -> metrics.csv,
and the experiment-wide report -> report.md, summary.json, plots/."""
