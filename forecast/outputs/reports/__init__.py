"""Reports a mid-term review can attach: report.html, report.pdf, report.docx, tables.xlsx.

One report model, four writers:

source.py     a finished run's files read back (RunOutputs)
build.py      the report model built from a run: per plan, or the national overview
model.py      the report model's types (sections, tables, charts as data)
i18n.py       the words, in Chinese and English
charts.py     the charts drawn from their data (SVG for HTML, PNG for print)
html.py, pdf.py, docx.py, xlsx.py   the four writers
writers.py    all four written from a run (`forecast run`, `forecast report`)
"""
