"""Reports a mid-term review can attach: report.html, report.pdf, report.docx, tables.xlsx.

One report model, four writers:

source.py         a finished run's files read back (RunOutputs)
model.py          the report model's types (sections, tables, charts as data)
i18n.py           the words, in Chinese and English (check_words.py: the own-data check's)
context.py        a run seen in one language: what every part of the report reads
plan_section.py   one plan's section: headline table, charts, scenarios, achievable, review
overview.py       the national overview of a run with many plans
appendix.py       methodology, calibration evidence, diagnostics
own_check.py      the calibration appendix's first part: the run's own-data check
build.py          the report model of a run, from those parts
charts.py         the charts drawn from their data (SVG for HTML, PNG for print)
fonts.py          the CJK font, subset and embedded
html.py, pdf.py, docx.py, xlsx.py   the four writers
writers.py        all four written from a run (`forecast run`, `forecast report`)
"""
