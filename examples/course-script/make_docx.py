#!/usr/bin/env python3
"""Write a small bilingual course script as .docx, .md and .txt, plus expected.json.

The three documents carry the same content; expected.json records, per video
section, the header exactly as written and how many body paragraphs it holds
(headings, list items and table cells are not body paragraphs).

The .docx is a minimal Office Open XML package built with zipfile only:
fixed member order, fixed timestamps (1980-01-01), ZIP_DEFLATED, so the same
content always gives the same bytes (for a given zlib).

Usage:
  python3 make_docx.py           write the four files
  python3 make_docx.py --check   re-read course-script.docx and verify it
Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
DOCX = HERE / "course-script.docx"
MD = HERE / "course-script.md"
TXT = HERE / "course-script.txt"
EXPECTED = HERE / "expected.json"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

TAB = object()  # a <w:tab/> inside a run
BR = object()   # a <w:br/> inside a run


# ---- content model ---------------------------------------------------------------
@dataclass
class Run:
    parts: list            # strings, TAB or BR
    bold: bool = False
    italic: bool = False


def R(*parts, b: bool = False, i: bool = False) -> Run:
    return Run(list(parts), b, i)


@dataclass
class Block:
    kind: str                         # title | h1 | h2 | p | bullets | numbers | table
    runs: list[Run] = field(default_factory=list)
    items: list[list[Run]] = field(default_factory=list)   # list items
    rows: list[list[str]] = field(default_factory=list)    # table
    rtl: bool = False


def title(*runs: Run) -> Block:
    return Block("title", list(runs))


def h1(text: str, rtl: bool = False) -> Block:
    return Block("h1", [R(text)], rtl=rtl)


def h2(text: str, rtl: bool = False) -> Block:
    return Block("h2", [R(text)], rtl=rtl)


def p(*runs, rtl: bool = False) -> Block:
    return Block("p", [r if isinstance(r, Run) else R(r) for r in runs], rtl=rtl)


def bullets(*items: str, rtl: bool = False) -> Block:
    return Block("bullets", items=[[R(x)] for x in items], rtl=rtl)


def numbers(*items: str, rtl: bool = False) -> Block:
    return Block("numbers", items=[[R(x)] for x in items], rtl=rtl)


def table(*rows: list[str]) -> Block:
    return Block("table", rows=[list(r) for r in rows])


AR = True

CONTENT: list[Block] = [
    title(R("Saving Water at Home / "), R("ترشيد استهلاك المياه في المنزل")),

    h1("الفيديو الأول: لماذا نرشد استهلاك الماء؟", AR),
    h2("المشهد الأول", AR),
    p(R("مرحبًا بكم في هذه الدورة القصيرة عن "),
      R("ترشيد استهلاك المياه", b=True),
      R(" في المنزل. لا يشكل الماء العذب إلا نسبة صغيرة من مياه الأرض تقل عن ثلاثة في المئة، "),
      R("ومعظم هذه النسبة محبوس في الجليد أو مخزون في باطن الأرض. لذلك فإن كل لتر يصل إلى صنبور بيتك "
        "قد قطع رحلة طويلة ومكلفة من التنقية والضخ."),
      rtl=AR),
    p("لن نطلب منك في هذه الدورة أن تتخلى عن راحتك، بل أن تستخدم الماء بوعي، وأن تنتبه إلى الأماكن "
      "التي يضيع فيها دون فائدة. العادات الصغيرة التي سنتعلمها لا تحتاج إلى أدوات معقدة، ويمكن أن "
      "تخفض فاتورة الماء بشكل ملحوظ.", rtl=AR),
    h2("المشهد الثاني", AR),
    p("لنبدأ بتجربة بسيطة: اقرأ عداد الماء في المساء قبل النوم، ثم اقرأه مرة أخرى في الصباح قبل أن "
      "يستخدم أحد الماء. إذا تغيرت القراءة، فهناك تسرب في مكان ما من المنزل، وسنعود إلى هذا الموضوع "
      "بالتفصيل في الفيديو الرابع.", rtl=AR),

    h1("الفيديو الثاني: الماء في المطبخ", AR),
    p("المطبخ من أكثر الأماكن التي نفتح فيها الصنبور ثم ننساه. غسل الأطباق تحت ماء جارٍ قد يستهلك "
      "عشرات اللترات في المرة الواحدة، بينما يكفي حوض مملوء إلى نصفه لإنجاز المهمة نفسها.", rtl=AR),
    p("إليك ثلاث عادات يمكنك أن تبدأ بها اليوم:", rtl=AR),
    bullets("اغسل الخضروات والفواكه في وعاء بدلًا من غسلها تحت الصنبور.",
            "شغل غسالة الصحون فقط عندما تكون ممتلئة.",
            "احتفظ بإبريق ماء في الثلاجة حتى لا تترك الصنبور مفتوحًا في انتظار الماء البارد.",
            rtl=AR),
    p("ولا تسكب الماء الذي غسلت به الخضروات في المصرف، فهو صالح تمامًا لسقي النباتات المنزلية "
      "والشجيرات الصغيرة في الشرفة.", rtl=AR),

    h1("الفيديو الثالث: الحمام والاستحمام", AR),
    h2("المشهد الأول", AR),
    p("يستهلك الحمام النصيب الأكبر من الماء في معظم البيوت. يضخ رأس الدش العادي ما بين 8 و12 لترًا "
      "في الدقيقة، أي أن الاستحمام لمدة 10 دقائق قد يستهلك أكثر من 100 لتر.", rtl=AR),
    p("الحل بسيط: ركب رأس دش موفرًا للمياه، وحاول أن تختصر وقت الاستحمام دقيقتين فقط. كذلك فإن "
      "إغلاق الصنبور أثناء تنظيف الأسنان يوفر عدة لترات في كل مرة.", rtl=AR),
    p("أما خزان المرحاض القديم فقد يستخدم أكثر من 9 لترات في كل دفقة. إذا لم تستطع استبداله الآن، "
      "فضع داخله زجاجة مملوءة بالماء لتقليل حجم الدفقة، وتأكد من أنها لا تعيق حركة أجزائه.", rtl=AR),

    h1("Video 4: Finding and Fixing Leaks"),
    h2("Scene 1"),
    p(R("Narrator:", TAB, "A leak rarely "),
      R("announces itself", b=True),
      R(". A tap that drips "),
      R("once every second", i=True),
      R(" can waste thousands of litres in a year, and a toilet that runs silently can waste even more.")),
    p(R("Here is a simple test for the toilet.", BR,
        "Put a few drops of food colouring into the tank and wait 15 minutes without flushing. "
        "If colour appears in the bowl, the flapper valve at the bottom of the tank is leaking "
        "and should be replaced.")),
    p("Most dripping taps are caused by a worn washer or cartridge, a part that costs very little. "
      "You can replace it yourself in four steps:"),
    numbers("Turn off the supply valve under the sink, then open the tap to drain it.",
            "Remove the handle and unscrew the valve body with an adjustable spanner.",
            "Replace the worn washer or cartridge with one of the same size.",
            "Reassemble the tap, turn the supply back on and check for drips."),
    p("If the drip continues after the repair, or if you find damp patches on walls or ceilings, "
      "call a plumber. A hidden leak inside a wall wastes water and can also damage the building."),

    h1("Lesson 5 - Outdoor Water and Everyday Habits"),
    p("Outside the house, the biggest savings come from watering at the right time. Water the garden "
      "early in the morning or after sunset, when less water evaporates, and water the roots rather "
      "than the leaves. A layer of mulch on the soil keeps moisture in for days."),
    p("The table below compares two everyday uses of water and gives one tip for each."),
    table(["Appliance", "Litres per use", "Tip"],
          ["Shower (10 minutes)", "about 100", "Fit a low-flow head and cut 2 minutes"],
          ["Washing machine", "about 50", "Run full loads only"]),
    h2("Summary"),
    p("To finish the course, pick one habit from each video and practise it for a week. Then read "
      "your water meter again and compare it with your first reading. Small changes, repeated every "
      "day, add up to real savings for your household and for your town."),
]


# ---- plain text of a run list -----------------------------------------------------
def run_text(runs: list[Run], markdown: bool = False) -> str:
    out = []
    for r in runs:
        s = ""
        for part in r.parts:
            if part is TAB:
                s += "\t"
            elif part is BR:
                s += "\\\n" if markdown else "\n"
            else:
                s += part
        if markdown and (r.bold or r.italic):
            mark = "**" if r.bold else "*"
            s = mark + s + mark
        out.append(s)
    return "".join(out)


# ---- WordprocessingML ---------------------------------------------------------------
def x_run(r: Run, rtl: bool) -> str:
    props = ""
    if r.bold:
        props += "<w:b/><w:bCs/>"
    if r.italic:
        props += "<w:i/><w:iCs/>"
    if rtl:
        props += '<w:rtl/><w:lang w:bidi="ar-SA"/>'
    body = ""
    for part in r.parts:
        if part is TAB:
            body += "<w:tab/>"
        elif part is BR:
            body += "<w:br/>"
        else:
            body += f'<w:t xml:space="preserve">{escape(part)}</w:t>'
    return "<w:r>" + (f"<w:rPr>{props}</w:rPr>" if props else "") + body + "</w:r>"


def is_arabic(s: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in s)


def x_par(runs: list[Run], style: str | None = None, rtl: bool = False,
          num_id: int | None = None) -> str:
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if num_id is not None:
        ppr += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
    if rtl:
        ppr += "<w:bidi/>"
    # a run is right-to-left when its paragraph is, or when it is Arabic inside an LTR paragraph
    body = "".join(x_run(r, rtl or any(isinstance(x, str) and is_arabic(x) for x in r.parts))
                   for r in runs)
    return "<w:p>" + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + body + "</w:p>"


def x_table(rows: list[list[str]]) -> str:
    width = 3000
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
           f"<w:tblBorders>{border}</w:tblBorders>"
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
           'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{width}"/>' for _ in rows[0]]
    out.append("</w:tblGrid>")
    for n, row in enumerate(rows):
        out.append("<w:tr>" + ("<w:trPr><w:tblHeader/></w:trPr>" if n == 0 else ""))
        for cell in row:
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                       + x_par([R(cell, b=(n == 0))]) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def document_xml() -> str:
    body = []
    for b in CONTENT:
        if b.kind == "title":
            body.append(x_par(b.runs, "Title"))
        elif b.kind == "h1":
            body.append(x_par(b.runs, "Heading1", b.rtl))
        elif b.kind == "h2":
            body.append(x_par(b.runs, "Heading2", b.rtl))
        elif b.kind == "p":
            body.append(x_par(b.runs, None, b.rtl))
        elif b.kind in ("bullets", "numbers"):
            num_id = 1 if b.kind == "bullets" else 2
            body += [x_par(item, "ListParagraph", b.rtl, num_id) for item in b.items]
        elif b.kind == "table":
            body.append(x_table(b.rows))  # followed by a heading paragraph, as Word requires
        else:
            raise ValueError(b.kind)
    sect = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" '
            'w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
            + "".join(body) + sect + "</w:body></w:document>")


def styles_xml() -> str:
    def pstyle(sid: str, name: str, ppr: str, rpr: str, extra: str = "") -> str:
        return (f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/>'
                f'<w:basedOn w:val="Normal"/>{extra}<w:qFormat/>'
                f"<w:pPr>{ppr}</w:pPr>" + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "") + "</w:style>")

    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:styles xmlns:w="{W_NS}">'
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        '<w:rFonts w:ascii="Calibri" w:eastAsia="Calibri" w:hAnsi="Calibri" w:cs="Arial"/>'
        '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-US" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:spacing w:after="160" w:line="259" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
        + pstyle("Title", "Title", '<w:spacing w:after="240"/><w:contextualSpacing/>',
                 '<w:sz w:val="56"/><w:szCs w:val="56"/>', '<w:next w:val="Normal"/><w:uiPriority w:val="10"/>')
        + pstyle("Heading1", "heading 1",
                 '<w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
                 '<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="32"/><w:szCs w:val="32"/>',
                 '<w:next w:val="Normal"/><w:uiPriority w:val="9"/>')
        + pstyle("Heading2", "heading 2",
                 '<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="1"/>',
                 '<w:b/><w:bCs/><w:color w:val="2F5496"/><w:sz w:val="26"/><w:szCs w:val="26"/>',
                 '<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/>')
        + pstyle("ListParagraph", "List Paragraph", '<w:ind w:left="720"/><w:contextualSpacing/>', "",
                 '<w:uiPriority w:val="34"/>')
        + '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/><w:pPr><w:spacing w:after="0" w:line="240" '
        'w:lineRule="auto"/></w:pPr><w:tblPr><w:tblBorders>'
        + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                  for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders></w:tblPr></w:style>"
        "</w:styles>"
    )


def numbering_xml() -> str:
    def abstract(aid: int, fmt: str, text: str) -> str:
        return (f'<w:abstractNum w:abstractNumId="{aid}"><w:multiLevelType w:val="hybridMultilevel"/>'
                f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>')

    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:numbering xmlns:w="{W_NS}">'
            + abstract(0, "bullet", "\u2022") + abstract(1, "decimal", "%1.")
            + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
            + '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
            + "</w:numbering>")


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/numbering.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)

DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" '
    'Target="numbering.xml"/></Relationships>'
)


def write_docx(path: Path) -> None:
    members = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/document.xml", document_xml()),
        ("word/styles.xml", styles_xml()),
        ("word/numbering.xml", numbering_xml()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
    ]
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the same on every platform
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"), compresslevel=9)


# ---- Markdown and plain text ----------------------------------------------------------
def render_md() -> str:
    out = []
    for b in CONTENT:
        if b.kind == "title":
            out.append("# " + run_text(b.runs))
        elif b.kind == "h1":
            out.append("## " + run_text(b.runs))
        elif b.kind == "h2":
            out.append("### " + run_text(b.runs))
        elif b.kind == "p":
            out.append(run_text(b.runs, markdown=True))
        elif b.kind == "bullets":
            out.append("\n".join("- " + run_text(i, True) for i in b.items))
        elif b.kind == "numbers":
            out.append("\n".join(f"{n}. " + run_text(i, True) for n, i in enumerate(b.items, 1)))
        elif b.kind == "table":
            rows = ["| " + " | ".join(r) + " |" for r in b.rows]
            rows.insert(1, "| " + " | ".join("---" for _ in b.rows[0]) + " |")
            out.append("\n".join(rows))
    return "\n\n".join(out) + "\n"


def render_txt() -> str:
    out = []
    for b in CONTENT:
        if b.kind in ("title", "h1", "h2", "p"):
            out.append(run_text(b.runs))
        elif b.kind == "bullets":
            out.append("\n".join("\u2022 " + run_text(i) for i in b.items))
        elif b.kind == "numbers":
            out.append("\n".join(f"{n}. " + run_text(i) for n, i in enumerate(b.items, 1)))
        elif b.kind == "table":
            out.append("\n".join("\t".join(r) for r in b.rows))
    return "\n\n".join(out) + "\n"


def render_expected() -> str:
    sections = []
    for b in CONTENT:
        if b.kind == "title":
            doc_title = run_text(b.runs)
        elif b.kind == "h1":
            sections.append({"header": run_text(b.runs), "direction": "rtl" if b.rtl else "ltr",
                             "paragraphs": 0, "subheadings": [], "list_items": 0, "table_rows": 0})
        elif b.kind == "h2":
            sections[-1]["subheadings"].append(run_text(b.runs))
        elif b.kind == "p":
            sections[-1]["paragraphs"] += 1
        elif b.kind in ("bullets", "numbers"):
            sections[-1]["list_items"] += len(b.items)
        elif b.kind == "table":
            sections[-1]["table_rows"] += len(b.rows)
    words = sum(len(run_text(b.runs).split()) for b in CONTENT if b.runs) + sum(
        len(run_text(i).split()) for b in CONTENT for i in b.items) + sum(
        len(c.split()) for b in CONTENT for r in b.rows for c in r)
    data = {
        "title": doc_title,
        "words": words,
        "note": "paragraphs = body paragraphs under the header; headings, list items and table cells "
                "are not counted",
        "sections": sections,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ---- self-check -------------------------------------------------------------------------
def check() -> list[str]:
    import xml.etree.ElementTree as ET

    errors = []
    w = "{%s}" % W_NS
    with zipfile.ZipFile(DOCX) as z:
        names = z.namelist()
        want = ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
                "word/numbering.xml", "word/_rels/document.xml.rels"]
        if names != want:
            errors.append(f"members {names}")
        for info in z.infolist():
            if info.date_time != (1980, 1, 1, 0, 0, 0) or info.compress_type != zipfile.ZIP_DEFLATED:
                errors.append(f"{info.filename}: timestamp or compression")
        trees = {}
        for n in names:
            try:
                trees[n] = ET.fromstring(z.read(n))
            except ET.ParseError as e:
                errors.append(f"{n} is not well-formed: {e}")
    if errors:
        return errors

    styles = {s.get(w + "styleId"): s for s in trees["word/styles.xml"].iter(w + "style")}
    for sid, name, lvl in [("Heading1", "heading 1", "0"), ("Heading2", "heading 2", "1"),
                           ("Title", "Title", None), ("ListParagraph", "List Paragraph", None)]:
        s = styles.get(sid)
        if s is None or s.find(w + "name").get(w + "val") != name:
            errors.append(f"style {sid} missing or misnamed")
            continue
        o = s.find(f"{w}pPr/{w}outlineLvl")
        if (o.get(w + "val") if o is not None else None) != lvl:
            errors.append(f"style {sid}: outline level")

    # walk the body the way an importer would and rebuild expected.json's sections
    body = trees["word/document.xml"].find(w + "body")
    sections: list[dict] = []
    saw = {"tab": 0, "br": 0, "multi_run": 0, "bidi": 0, "rtl": 0, "bullet": 0, "number": 0, "table": 0}
    for el in body:
        if el.tag == w + "tbl":
            saw["table"] += 1
            rows = el.findall(w + "tr")
            if len(rows) != 3 or any(len(r.findall(w + "tc")) != 3 for r in rows):
                errors.append("table is not 3 x 3")
            sections[-1]["table_rows"] += len(rows)
            continue
        if el.tag != w + "p":
            continue
        style = el.find(f"{w}pPr/{w}pStyle")
        style = style.get(w + "val") if style is not None else None
        runs = el.findall(w + "r")
        text = "".join(t.text or "" for t in el.iter(w + "t"))
        saw["tab"] += len(list(el.iter(w + "tab")))
        saw["br"] += len(list(el.iter(w + "br")))
        saw["multi_run"] += len(runs) > 2
        saw["bidi"] += el.find(f"{w}pPr/{w}bidi") is not None
        saw["rtl"] += len(list(el.iter(w + "rtl")))
        num = el.find(f"{w}pPr/{w}numPr/{w}numId")
        if style == "Heading1":
            sections.append({"header": text, "paragraphs": 0, "subheadings": [], "list_items": 0, "table_rows": 0})
        elif style == "Heading2":
            sections[-1]["subheadings"].append(text)
        elif num is not None:
            saw["bullet" if num.get(w + "val") == "1" else "number"] += 1
            sections[-1]["list_items"] += 1
        elif style is None and text.strip() and sections:
            sections[-1]["paragraphs"] += 1
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    mine = [{k: s[k] for k in ("header", "paragraphs", "subheadings", "list_items", "table_rows")}
            for s in expected["sections"]]
    if sections != mine:
        errors.append(f"docx sections {sections} != expected.json {mine}")
    if len(sections) != 5:
        errors.append("there must be five video sections")
    if not (saw["tab"] >= 1 and saw["br"] >= 1 and saw["multi_run"] >= 1 and saw["bidi"] and saw["rtl"]
            and saw["bullet"] == 3 and saw["number"] == 4 and saw["table"] == 1):
        errors.append(f"feature coverage {saw}")
    if not 600 <= expected["words"] <= 900:
        errors.append(f"{expected['words']} words, want 600-900")
    for path, text in ((MD, render_md()), (TXT, render_txt()), (EXPECTED, render_expected())):
        if path.read_text(encoding="utf-8") != text:
            errors.append(f"{path.name} is stale")
    return errors


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        errors = check()
        for e in errors:
            print("FAIL:", e, file=sys.stderr)
        if not errors:
            print("ok:", DOCX.name, "is well-formed and matches expected.json")
        return 1 if errors else 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    write_docx(DOCX)
    MD.write_bytes(render_md().encode("utf-8"))
    TXT.write_bytes(render_txt().encode("utf-8"))
    EXPECTED.write_bytes(render_expected().encode("utf-8"))
    for path in (DOCX, MD, TXT, EXPECTED):
        print("wrote", path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
