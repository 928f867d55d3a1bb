"""The plan-document readers (`forecast.extract.documents`): plain text in UTF-8, UTF-8 with BOM
and GBK, traditional characters, full-width digits, Word with merged cells, a GBK web page
with a layout table, a WeasyPrint PDF, a PDF without a text layer, bad files, and tables
copied out of web pages as "cell|" lines.

Every document is written here, in the test, from sentences composed for these tests."""

from __future__ import annotations

import os
import random
from datetime import date
from pathlib import Path

import docx
import pytest

from forecast.errors import InputError
from forecast.extract import extract_plan, read_document

TITLE = "临江市科技创新能力提升行动方案(2023-2025年)"
REGION = "临江市"
BODY = ("到2025年，全市高新技术企业数量达到450家以上，科技型中小企业入库数达到1200家。\n"
        "全社会研发经费投入强度达到2.8%，技术合同成交额突破60亿元。\n")
BODY_TARGETS = {("hitech_enterprises", 450.0, 2025, "level", ">=", "家"),
                ("tech_smes", 1200.0, 2025, "level", ">=", "家"),
                ("rd_intensity", 2.8, 2025, "level", ">=", "%"),
                ("tech_contract_turnover", 60.0, 2025, "level", ">", "亿元")}

# an indicator table as plans attach it: two years of history, then the target column
HEADER = ["序号", "指标名称", "单位", "2022年", "2023年", "2025年目标值"]
TABLE_ROWS = [["1", "高新技术企业数", "家", "120", "135", "180"],
              ["2", "R&D经费投入强度", "%", "2.1", "2.3", "2.8"]]
TABLE_HISTORY = [["hitech_enterprises", 2022, 120.0], ["hitech_enterprises", 2023, 135.0],
                 ["rd_intensity", 2022, 2.1], ["rd_intensity", 2023, 2.3]]


def readings(draft) -> set[tuple]:
    """(indicator, value, year, kind, op, unit) of every target of the draft."""
    return {(t.indicator, t.reading.value, t.reading.year, t.reading.kind, t.reading.op,
             t.reading.unit) for t in draft.targets}


def by_indicator(draft) -> dict:
    """The draft's targets by indicator (each indicator once)."""
    ids = [t.indicator for t in draft.targets]
    assert len(ids) == len(set(ids)), [(t.indicator, t.text) for t in draft.targets]
    return {t.indicator: t for t in draft.targets}


def history(draft) -> list[list]:
    obs = draft.observations().sort_values(["indicator", "year"])
    return obs[["indicator", "year", "value"]].values.tolist()


def assert_cited(draft, doc) -> None:
    """Every target's span points at its clause in the document's text."""
    for t in draft.targets:
        a, b = t.span
        assert 0 <= a < b <= len(doc.text)
        assert t.text in " ".join(doc.text[a:b].split()), (t.text, doc.text[a:b])


def weasyprint_html():
    """WeasyPrint's HTML class; without Pango it cannot load: skip, except under CI (as the
    report tests do), where it fails."""
    try:
        from weasyprint import HTML
    except OSError as exc:
        if os.environ.get("FORECAST_CI"):
            pytest.fail(f"WeasyPrint cannot load Pango: {exc}")
        pytest.skip("WeasyPrint needs Pango (apt-get install libpango-1.0-0)")
    return HTML


def cjk_css() -> str:
    """The bundled Noto Sans CJK SC as the page font (WeasyPrint subsets it into the PDF)."""
    from forecast.outputs.reports.fonts import font_files

    font = font_files()["Regular"].as_uri()
    return (f"@font-face {{font-family: 'Plan CJK'; src: url('{font}');}} "
            "body {font-family: 'Plan CJK'; font-size: 11pt} h1 {font-size: 16pt} "
            "table {border-collapse: collapse} td {border: 1px solid black; padding: 4px}")


def html_table(rows: list[list[str]], attrs: str = "") -> str:
    return (f"<table{attrs}>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>"
                                        for r in rows) + "</table>")


# ---- 1. plain text in three encodings -------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_plain_text_in_utf8_utf8_bom_and_gbk(tmp_path, encoding):
    source = f"{TITLE}\n{BODY}"
    path = tmp_path / "plan.txt"
    path.write_bytes(source.encode(encoding))
    doc = read_document(path)
    assert doc.text == source  # decoded, the BOM dropped
    assert doc.tables == ()
    draft = extract_plan(path)
    assert draft.title == TITLE and draft.region == REGION
    assert (draft.period.start, draft.period.end, draft.period.base_year) == (2023, 2025, 2022)
    assert readings(draft) == BODY_TARGETS
    t = by_indicator(draft)["hitech_enterprises"]
    assert t.text == "全市高新技术企业数量达到450家以上"
    assert not t.reading.aspirational and t.history == {}
    assert_cited(draft, doc)


def test_windows_line_endings_read_like_unix_ones(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(f"{TITLE}\n{BODY}".replace("\n", "\r\n").encode("gbk"))
    doc = read_document(path)
    assert "\r" not in doc.text and doc.text == f"{TITLE}\n{BODY}"
    assert readings(extract_plan(path)) == BODY_TARGETS


# ---- 2. traditional characters --------------------------------------------------------------


def test_traditional_characters_match_and_are_quoted_as_written(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("臨江市科技創新能力提升行動方案(2023-2025年)\n"
                    "到2025年，全市研發經費投入強度達到2.8%，技術合同成交額達到60億元，"
                    "力爭高新技術企業數量突破500家。\n", encoding="utf-8")
    doc = read_document(path)
    draft = extract_plan(path)
    assert (draft.period.start, draft.period.end) == (2023, 2025)
    targets = by_indicator(draft)
    assert set(targets) == {"rd_intensity", "tech_contract_turnover", "hitech_enterprises"}

    rd = targets["rd_intensity"]
    assert (rd.reading.value, rd.reading.year, rd.reading.kind, rd.reading.op,
            rd.reading.unit) == (2.8, 2025, "level", ">=", "%")
    assert rd.text == "全市研發經費投入強度達到2.8%"  # as written, not simplified
    assert rd.text in doc.text[rd.span[0]:rd.span[1]]

    turnover = targets["tech_contract_turnover"]
    assert (turnover.reading.value, turnover.reading.unit) == (60.0, "亿元")
    assert doc.text[turnover.span[0]:turnover.span[1]] == "技術合同成交額達到60億元"

    hitech = targets["hitech_enterprises"]
    assert (hitech.reading.value, hitech.reading.op, hitech.reading.year) == (500.0, ">", 2025)
    assert hitech.reading.aspirational  # 力爭 (力争)
    assert "高新技術企業數量突破500家" in doc.text[hitech.span[0]:hitech.span[1]]


# ---- 3. full-width digits and punctuation ---------------------------------------------------


def test_full_width_digits_and_punctuation(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("临江市科技创新能力提升行动方案（２０２３－２０２５年）\n"
                    "到２０２５年，全市研发经费投入强度达到２．８％，"
                    "高新技术企业数量达到４５０家以上；技术合同成交额达到６０．５亿元。\n",
                    encoding="utf-8")
    doc = read_document(path)
    draft = extract_plan(path)
    assert (draft.period.start, draft.period.end, draft.period.base_year) == (2023, 2025, 2022)
    assert readings(draft) == {("rd_intensity", 2.8, 2025, "level", ">=", "%"),
                               ("hitech_enterprises", 450.0, 2025, "level", ">=", "家"),
                               ("tech_contract_turnover", 60.5, 2025, "level", ">=", "亿元")}
    rd = by_indicator(draft)["rd_intensity"]
    assert rd.text == "全市研发经费投入强度达到２．８％"  # the document's own characters
    assert doc.text[rd.span[0]:rd.span[1]] == rd.text
    assert_cited(draft, doc)


# ---- 4. Word ----------------------------------------------------------------------------------


def word_plan(path: Path, rows: list[list[str]], merged_section: bool = True,
              merged_name: bool = True) -> Path:
    """A .docx: the title, a paragraph of targets, the indicator table (with a section row
    merged across the table and a row whose number and name cells are merged), a closing
    paragraph."""
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("到2025年，全市科技型中小企业入库数达到900家，技术合同成交额达到25亿元，"
                    "高新技术企业数量达到180家。")
    body = [HEADER, *rows]
    extra = []
    if merged_section:
        extra.append(["一、创新主体"])
    if merged_name:
        extra.append(["科技型中小企业", "家", "700", "800", "900"])
    table = d.add_table(rows=len(body) + len(extra), cols=len(HEADER))
    for i, row in enumerate(body):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    at = len(body)
    if merged_section:  # gridSpan 6: python-docx lists the one cell six times
        cell = table.cell(at, 0).merge(table.cell(at, len(HEADER) - 1))
        cell.text = "一、创新主体"
        at += 1
    if merged_name:  # 序号 and 指标名称 merged (gridSpan 2)
        cell = table.cell(at, 0).merge(table.cell(at, 1))
        cell.text = "科技型中小企业"
        for j, value in enumerate(["家", "700", "800", "900"], start=2):
            table.cell(at, j).text = value
    d.add_paragraph("各区县要加强组织领导，确保各项指标按期完成。")
    d.save(str(path))
    return path


def test_word_paragraphs_and_indicator_table(tmp_path):
    path = word_plan(tmp_path / "plan.docx", TABLE_ROWS)
    doc = read_document(path)
    lines = doc.text.split("\n")
    assert lines[0] == TITLE
    assert lines[2] == " | ".join(HEADER)
    assert lines[-2] == "各区县要加强组织领导，确保各项指标按期完成。"

    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.rows == (tuple(HEADER), *(tuple(r) for r in TABLE_ROWS), ("一、创新主体",),
                          ("科技型中小企业", "家", "700", "800", "900"))
    covered = doc.text[table.start:table.end]
    assert covered.startswith("序号 | 指标名称") and covered.endswith("900\n")
    assert "1 | 高新技术企业数 | 家 | 120 | 135 | 180" in covered
    assert "一、创新主体 |" not in doc.text  # the merged cell once, not six times

    draft = extract_plan(path)
    assert draft.title == TITLE and draft.region == REGION
    assert readings(draft) == {("hitech_enterprises", 180.0, 2025, "level", ">=", "家"),
                               ("rd_intensity", 2.8, 2025, "level", ">=", "%"),
                               ("tech_smes", 900.0, 2025, "level", ">=", "家"),
                               ("tech_contract_turnover", 25.0, 2025, "level", ">=", "亿元")}
    targets = by_indicator(draft)  # the paragraph's 180家 and 900家 repeat the table's rows
    assert targets["hitech_enterprises"].reading.source == "table"
    assert targets["hitech_enterprises"].history == {2022: 120.0, 2023: 135.0}
    assert targets["hitech_enterprises"].repeats == ["高新技术企业数量达到180家"]
    assert targets["rd_intensity"].history == {2022: 2.1, 2023: 2.3}
    assert targets["tech_smes"].history == {2022: 700.0, 2023: 800.0}
    assert targets["tech_contract_turnover"].reading.source == "text"
    assert_cited(draft, doc)

    obs = draft.observations()
    assert set(obs["region"]) == {REGION} and set(obs["source"]) == {"plan.docx"}
    assert history(draft) == sorted([*TABLE_HISTORY, ["tech_smes", 2022, 700.0],
                                     ["tech_smes", 2023, 800.0]])


def test_word_table_keeps_equal_neighbouring_cells(tmp_path):
    """Only a merged cell's repeats are dropped: a row whose history is flat (15, 15) or
    missing ("", "") keeps all its cells and still gives its target and history."""
    rows = [*TABLE_ROWS, ["3", "技术合同成交额", "亿元", "15", "15", "25"],
            ["4", "科技型中小企业", "家", "", "", "900"]]
    path = word_plan(tmp_path / "plan.docx", rows, merged_section=False, merged_name=False)
    doc = read_document(path)
    assert doc.tables[0].rows[3] == ("3", "技术合同成交额", "亿元", "15", "15", "25")
    assert doc.tables[0].rows[4] == ("4", "科技型中小企业", "家", "", "", "900")
    draft = extract_plan(path)
    targets = by_indicator(draft)
    assert targets["tech_contract_turnover"].reading.source == "table"
    assert targets["tech_contract_turnover"].history == {2022: 15.0, 2023: 15.0}
    assert (targets["tech_smes"].reading.value, targets["tech_smes"].reading.source) == (
        900.0, "table")
    assert ["tech_contract_turnover", 2023, 15.0] in history(draft)


# ---- 5. a web page saved from a government site ---------------------------------------------


def government_page() -> str:
    indicators = html_table([["指标名称", "单位", "2022年", "2023年", "2025年目标"],
                             ["高新技术企业数", "家", "120", "135", "180"],
                             ["技术合同成交额", "亿元", "12.5", "16", "25"]], " border='1'")
    return f"""<!DOCTYPE html>
<html><head><meta charset="gb2312">
<title>{TITLE}</title>
<style>.menu {{ color: red }} /* 到2025年达到777家 */</style>
<script type="text/javascript">var banner = "高新技术企业数量达到999家"; document.write(banner);
</script>
</head><body>
<nav><a href="/">网站首页</a> <a href="/zwgk">政务公开</a> <a href="/hdjl">互动交流</a></nav>
<table width="1000" class="layout"><tr>
<td class="side">当前位置：政策文件</td>
<td class="main"><h2>{TITLE}</h2>
<p>发布时间：2023-03-15　信息来源：临江市科学技术局</p>
<div class="content">
<p>到2025年，全市科技型中小企业入库数达到900家以上，研发经费投入强度达到2.8%。</p>
<p>主要指标见下表：</p>{indicators}
<p>各县区要抓好落实。联系人：王赟</p>
</div></td></tr></table>
<footer>版权所有 临江市人民政府 网站标识码 4300000088</footer>
<script>window.counter = 888;</script>
</body></html>"""


def test_web_page_in_gbk_with_layout_table_scripts_and_menu(tmp_path):
    path = tmp_path / "plan.html"
    path.write_bytes(government_page().encode("gbk"))
    doc = read_document(path)
    for hidden in ("999", "888", "777", "banner", "document.write", "color", "政务公开",
                   "互动交流", "版权所有"):
        assert hidden not in doc.text, hidden
    assert "王赟" in doc.text  # a GBK character outside GB2312, as such pages often have
    assert "到2025年，全市科技型中小企业入库数达到900家以上，研发经费投入强度达到2.8%。\n" \
        in doc.text
    assert len(doc.tables) == 1  # the data table; the layout table is not one
    table = doc.tables[0]
    assert table.rows == (("指标名称", "单位", "2022年", "2023年", "2025年目标"),
                          ("高新技术企业数", "家", "120", "135", "180"),
                          ("技术合同成交额", "亿元", "12.5", "16", "25"))
    assert doc.text[table.start:table.end] == (
        "指标名称 | 单位 | 2022年 | 2023年 | 2025年目标\n高新技术企业数 | 家 | 120 | 135 | 180\n"
        "技术合同成交额 | 亿元 | 12.5 | 16 | 25\n")

    draft = extract_plan(path)
    assert draft.title == TITLE and draft.region == REGION
    assert draft.published == date(2023, 3, 15)
    assert readings(draft) == {("tech_smes", 900.0, 2025, "level", ">=", "家"),
                               ("rd_intensity", 2.8, 2025, "level", ">=", "%"),
                               ("hitech_enterprises", 180.0, 2025, "level", ">=", "家"),
                               ("tech_contract_turnover", 25.0, 2025, "level", ">=", "亿元")}
    assert history(draft) == [["hitech_enterprises", 2022, 120.0],
                              ["hitech_enterprises", 2023, 135.0],
                              ["tech_contract_turnover", 2022, 12.5],
                              ["tech_contract_turnover", 2023, 16.0]]
    assert_cited(draft, doc)


# ---- 6. PDF -------------------------------------------------------------------------------------


def test_pdf_printed_by_weasyprint_with_the_bundled_cjk_font(tmp_path):
    html = weasyprint_html()
    sentence = ("到2025年，全市高新技术企业数量达到180家以上，科技型中小企业入库数达到900家，"
                "全社会研发经费投入强度达到2.8%，技术合同成交额达到25亿元，"
                "每万人口高价值发明专利拥有量达到6件。")  # longer than a line: wraps in the PDF
    indicators = html_table([["指标名称", "单位", "2022年", "2023年", "2025年目标"],
                             ["高新技术企业数", "家", "120", "135", "180"],
                             ["技术合同成交额", "亿元", "12.5", "16", "25"]])
    page = (f"<html><head><meta charset='utf-8'><style>{cjk_css()}</style></head><body>"
            f"<h1>{TITLE}</h1><p>{sentence}</p>{indicators}<p>各县区要抓好落实。</p>"
            "</body></html>")
    path = tmp_path / "plan.pdf"
    html(string=page).write_pdf(path)

    doc = read_document(path)
    lines = doc.text.split("\n")
    assert lines[0] == TITLE
    assert sentence in lines  # the wrapped lines joined into the one paragraph
    assert "各县区要抓好落实。" in lines
    assert len(doc.tables) == 1
    assert doc.tables[0].rows[1:] == (("高新技术企业数", "家", "120", "135", "180"),
                                      ("技术合同成交额", "亿元", "12.5", "16", "25"))

    draft = extract_plan(path)
    assert draft.title == TITLE and draft.region == REGION
    assert readings(draft) == {
        ("hitech_enterprises", 180.0, 2025, "level", ">=", "家"),
        ("tech_smes", 900.0, 2025, "level", ">=", "家"),
        ("rd_intensity", 2.8, 2025, "level", ">=", "%"),
        ("tech_contract_turnover", 25.0, 2025, "level", ">=", "亿元"),
        ("high_value_invention_patents_per_10k", 6.0, 2025, "level", ">=", "件/万人")}
    targets = by_indicator(draft)  # the sentence's 180家 and 25亿元 are the table's rows
    assert targets["hitech_enterprises"].history == {2022: 120.0, 2023: 135.0}
    assert targets["tech_contract_turnover"].history == {2022: 12.5, 2023: 16.0}
    assert targets["rd_intensity"].text == "全社会研发经费投入强度达到2.8%"
    assert_cited(draft, doc)
    assert history(draft) == [["hitech_enterprises", 2022, 120.0],
                              ["hitech_enterprises", 2023, 135.0],
                              ["tech_contract_turnover", 2022, 12.5],
                              ["tech_contract_turnover", 2023, 16.0]]


# ---- 7. files that cannot be read -------------------------------------------------------------


def refused(path: Path) -> str:
    """The one-line message of the InputError reading ``path`` raises."""
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message
    return message


def test_a_pdf_without_a_text_layer_asks_for_ocr(tmp_path):
    from PIL import Image, ImageDraw

    html = weasyprint_html()
    scan = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(scan)
    for y in range(60, 760, 30):  # lines of "text" that are only pixels
        draw.rectangle([50, y, 550, y + 12], fill="black")
    png = tmp_path / "page1.png"
    scan.save(png)
    path = tmp_path / "scanned plan.pdf"
    html(string=f"<html><body style='margin:0'><img src='{png.as_uri()}' style='width:100%'>"
                "</body></html>").write_pdf(path)
    assert path.stat().st_size > 1000
    message = refused(path)
    assert "OCR" in message and "no text" in message


@pytest.mark.parametrize("name", ["plan.doc", "plan.rtf", "plan.wps", "plan"])
def test_unknown_suffixes_are_refused_with_a_fix(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"{\\rtf1\\ansi \\u21040?2025}" if name.endswith(".rtf")
                     else b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    message = refused(path)
    assert "cannot read" in message and "save the plan as .txt, .docx, .pdf or .html" in message
    if name.endswith(".doc"):
        assert "save as .docx" in message


def test_a_missing_file_is_refused(tmp_path):
    message = refused(tmp_path / "nowhere" / "plan.docx")
    assert "no such file" in message


def test_damaged_files_are_refused_not_a_traceback(tmp_path):
    noise = random.Random(2025).randbytes(4096)
    (tmp_path / "noise.docx").write_bytes(noise)
    assert "not a readable Word file" in refused(tmp_path / "noise.docx")

    good = word_plan(tmp_path / "good.docx", TABLE_ROWS)
    (tmp_path / "cut.docx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "not a readable Word file" in refused(tmp_path / "cut.docx")

    (tmp_path / "noise.pdf").write_bytes(b"%PDF-1.7\n" + noise)
    assert "not a readable PDF file" in refused(tmp_path / "noise.pdf")

    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\xff\xff" + noise)
    assert "neither UTF-8 nor GBK" in refused(tmp_path / "binary.txt")

    (tmp_path / "empty.txt").write_text(" \n\n\u3000\n", encoding="utf-8")
    assert "no text" in refused(tmp_path / "empty.txt")


# ---- 8. a table copied out of a web page as "cell|" lines -------------------------------------


PIPE_TABLE = """\
指标名称|
单位|
2022年|
2023年|
2025年目标值|
|
高新技术企业数|
家|
120|
135|
180|
|
R&D经费投入强度|
%|
2.1|
2.3|
2.8|
|
技术合同成交额|
亿元|
12.5|
16|
25|
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_pipe_table_copied_from_a_web_page(tmp_path, newline):
    source = (f"{TITLE}\n到2025年，全市科技型中小企业入库数达到900家以上。\n附表：主要指标\n"
              f"{PIPE_TABLE}各县区要抓好落实。\n")
    path = tmp_path / "plan.txt"
    path.write_bytes(source.replace("\n", newline).encode("utf-8"))
    doc = read_document(path)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.rows == (("指标名称", "单位", "2022年", "2023年", "2025年目标值"),
                          ("高新技术企业数", "家", "120", "135", "180"),
                          ("R&D经费投入强度", "%", "2.1", "2.3", "2.8"),
                          ("技术合同成交额", "亿元", "12.5", "16", "25"))
    assert doc.text[table.start:table.end] == PIPE_TABLE

    draft = extract_plan(path)
    assert readings(draft) == {("tech_smes", 900.0, 2025, "level", ">=", "家"),
                               ("hitech_enterprises", 180.0, 2025, "level", ">=", "家"),
                               ("rd_intensity", 2.8, 2025, "level", ">=", "%"),
                               ("tech_contract_turnover", 25.0, 2025, "level", ">=", "亿元")}
    targets = by_indicator(draft)
    assert [t.indicator for t in draft.targets] == [
        "tech_smes", "hitech_enterprises", "rd_intensity", "tech_contract_turnover"]
    assert targets["rd_intensity"].text == "R&D经费投入强度"
    assert targets["rd_intensity"].reading.source == "table"
    assert targets["tech_smes"].history == {}
    assert history(draft) == sorted([*TABLE_HISTORY, ["tech_contract_turnover", 2022, 12.5],
                                     ["tech_contract_turnover", 2023, 16.0]])
    assert_cited(draft, doc)
