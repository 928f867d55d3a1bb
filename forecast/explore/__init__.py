"""`forecast explore`: a finished run's what-if in the browser, for the meeting where targets
are set (the optional extra ``explore``: Starlette on uvicorn).

session.py   the run folder opened: its stored paths replayed for a plan, as the page shows it
charts.py    the fan chart and the P(met) curve as SVG
words.py     the page's words, Chinese and English
saving.py    the page's adjustments written as data/scenarios/<id>.yaml
app.py       the web app: the page, its JSON endpoints, validation, security headers
launch.py    which run, which workspace, the server on loopback
templates/, static/   the page and its own script and style (no CDN: works offline)
"""
