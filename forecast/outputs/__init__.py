"""What a run leaves behind for people: its folder of tables, summary.md, the reports and the
run history.

wording.py     numbers and targets in words (summary, reports, terminal alike)
safe_text.py   user text made safe for a spreadsheet cell, a Markdown table, a terminal
tables.py      the tables the outputs share
summary.py     summary.md
run_folder.py  a run's folder, written atomically; a backtest's metrics
history.py     the run history (SQLAlchemy): record, list, compare
publish.py     a run's folder and id reserved at start, recorded and published together
reports/       one report model, four writers (HTML, PDF, Word, Excel)
"""
