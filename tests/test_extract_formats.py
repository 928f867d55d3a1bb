"""`forecast extract` reads the same plan from Word, PDF, a saved web page and GBK text.

Each document is made here, with real writers (python-docx, WeasyPrint with the bundled CJK
font), from sentences composed for the test."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from forecast.errors import InputError
from forecast.extract import extract_plan, read_document

TITLE = "某某县科技创新三年行动方案(2024-2026年)"
BODY = ["到2026年，全县高新技术企业数量达到45家以上，研发经费投入强度达到2.2%。",
        "项目总投资3000万元。"]
TABLE = [["序号", "指标名称", "单位", "2022年", "2023年", "2026年目标值"],
         ["1", "高新技术企业数", "家", "30", "34", "45"],
         ["2", "技术合同成交额", "亿元", "1.5", "2.0", "3.5"]]


def expected_targets(draft) -> set[tuple]:
    return {(t.indicator, t.reading.kind, t.reading.op, t.reading.value, t.reading.year)
            for t in draft.targets}


WANT = {("hitech_enterprises", "level", ">=", 45.0, 2026),
        ("rd_intensity", "level", ">=", 2.2, 2026),
        ("tech_contract_turnover", "level", ">=", 3.5, 2026)}


def check(path: Path) -> None:
    draft = extract_plan(path)
    assert draft.title == TITLE
    assert (draft.period.start, draft.period.end, draft.period.base_year) == (2024, 2026, 2023)
    assert expected_targets(draft) == WANT  # the text's 45家 and the table's are one target
    obs = draft.observations().sort_values(["indicator", "year"])
    assert obs[["indicator", "year", "value"]].values.tolist() == [
        ["hitech_enterprises", 2022, 30.0], ["hitech_enterprises", 2023, 34.0],
        ["tech_contract_turnover", 2022, 1.5], ["tech_contract_turnover", 2023, 2.0]]
    assert any("budget" in s.reason for s, _ in draft.skipped)


def html_page(charset: str = "utf-8", layout: bool = True) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in TABLE)
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    article = f"<h1>{TITLE}</h1>{paragraphs}<table border=1>{rows}</table>"
    if layout:  # pages of government sites wrap the article in a layout table, under a menu
        article = f"<nav>首页 | 新闻 5条</nav><table><tr><td>{article}</td></tr></table>"
    return (f'<html><head><meta charset="{charset}"><title>{TITLE}</title>'
            "<script>var x = '到2026年达到999家';</script><style>p {color: #000}</style></head>"
            f"<body>{article}</body></html>")


def test_word(tmp_path):
    d = docx.Document()
    d.add_paragraph(TITLE)
    for p in BODY:
        d.add_paragraph(p)
    table = d.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for i, row in enumerate(TABLE):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    path = tmp_path / "plan.docx"
    d.save(str(path))
    check(path)


def test_web_page_in_gbk_with_layout_table_and_script(tmp_path):
    path = tmp_path / "plan.html"
    path.write_bytes(html_page("gb2312").encode("gbk"))
    doc = read_document(path)
    assert "999" not in doc.text and "新闻" not in doc.text
    assert len(doc.tables) == 1 and doc.tables[0].rows == tuple(tuple(r) for r in TABLE)
    check(path)


def test_text_in_gbk_and_in_traditional_characters(tmp_path):
    lines = [TITLE, *BODY, *[" | ".join(r) for r in TABLE]]
    path = tmp_path / "plan.txt"
    path.write_bytes("\n".join(lines).encode("gbk"))
    draft = extract_plan(path)
    assert expected_targets(draft) >= {
        ("hitech_enterprises", "level", ">=", 45.0, 2026),
        ("rd_intensity", "level", ">=", 2.2, 2026)}
    trad = tmp_path / "trad.txt"
    trad.write_text(f"{TITLE}\n到2026年，全縣高新技術企業數量達到45家以上。\n", encoding="utf-8")
    t = extract_plan(trad).targets[0]
    assert (t.indicator, t.reading.value) == ("hitech_enterprises", 45)
    assert t.text == "全縣高新技術企業數量達到45家以上"


def test_pdf_printed_by_weasyprint(tmp_path):
    try:
        from weasyprint import HTML
    except OSError as exc:  # no Pango: as the report tests, skip unless under CI
        import os
        if os.environ.get("FORECAST_CI"):
            pytest.fail(f"WeasyPrint cannot load Pango: {exc}")
        pytest.skip("WeasyPrint needs Pango (apt-get install libpango-1.0-0)")
    from forecast.outputs.reports.fonts import font_files

    font = font_files()["Regular"].as_uri()
    css = (f"@font-face {{font-family: cjk; src: url({font});}} body {{font-family: cjk;}}"
           "table {border-collapse: collapse} td {border: 1px solid black; padding: 3px}")
    page = html_page(layout=False).replace("<head>", f"<head><style>{css}</style>")
    path = tmp_path / "plan.pdf"
    HTML(string=page).write_pdf(path)
    check(path)


def test_a_scanned_pdf_and_other_bad_files_are_refused(tmp_path):
    from PIL import Image

    png = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(png)
    pdf = tmp_path / "scan.pdf"
    Image.open(png).save(pdf)  # a page that is only an image, as a scanner makes
    with pytest.raises(InputError, match="OCR"):
        read_document(pdf)
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(InputError, match=r"broken\.docx"):
        read_document(bad)
    old = tmp_path / "x.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"save as \.docx"):
        read_document(old)
