"""What a planning office gives the toolkit, read and validated: every user error is an
``InputError`` naming the file, row, column and fix.

values.py        what single values must be: a safe id, a year in range, a certain number
schema.py        the strict pydantic types the YAML schemas share; their errors as one line
catalogue_schema.py, plan_schema.py, scenario_schema.py   one schema per YAML file kind
catalogue.py     the indicator catalogue (bundled, plus a workspace's indicators.yaml)
tabular.py       CSV (UTF-8 or GBK) and Excel files read as strings, in chunks
sheets.py        a workbook's size checked before any cell is read
regions.py       regions.csv: names and the tree of regions
observations.py  observations.csv: the historical values
series.py        every series as one array and offsets; usable history, quality notes
plans.py         plan files: plans and their targets (parse_plan, read_plan)
scenarios.py     scenario files: what-if adjustments
workbooks.py     data-entry workbooks: the template a plan needs, and reading it back
workspace.py     a workspace folder read into Inputs
"""
