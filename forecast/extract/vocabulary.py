"""The words of the target grammar (``grammar.py``): comparators, verbs by the kind of change
they ask for, adverbs, the wording of what is not a target, and the patterns of numbers,
years, deadlines and clause ends in normalised plan text."""

from __future__ import annotations

import re

from forecast.extract.units import UNIT_PATTERN

ASPIRATIONAL = ("力争", "争取", "努力", "力求", "争创")
BINDING = "约束性"  # a binding indicator (against 预期性, expected), in a table or the sentence
# comparators written right before the number, longest first within each group
GE = ("不低于", "不少于", "不小于", "提高到", "提升到", "提高至", "提升至", "增加到", "增加至",
      "增长到", "增长至", "保持在", "稳定在", "达到", "增至", "升至", "达")
GT = ("突破", "超过", "高于", "多于", "大于", "超")
LE = ("控制在", "控制到", "下降到", "下降至", "降低到", "降低至", "减少到", "减少至", "缩小到",
      "缩小至", "缩减到", "压减到", "压减至", "压缩到", "降到", "降至", "不高于", "不超过",
      "不大于", "以内")
LT = ("低于", "少于", "小于")
COMPARATORS = {**{w: ">=" for w in GE}, **{w: ">" for w in GT}, **{w: "<=" for w in LE},
               **{w: "<" for w in LT}}
COMPARATOR_RE = "|".join(sorted(COMPARATORS, key=len, reverse=True))
# verbs that make a clause its own item (an enumerated item without one shares the verb of
# the item before it: 新增高新技术企业20家、专精特新中小企业10家)
BUILD = ("建设", "建立", "建成", "打造", "组建", "创建", "培育", "设立", "布局", "争创", "认定",
         "获批", "引育", "搭建", "入库", "入规", "上市", "挂牌", "备案", "拥有", "保持", "实现",
         "评定", "遴选", "支持", "扶持", "推动", "推进", "建")
ACTIVITY = ("突破", "攻克", "培训", "获得", "形成", "开发", "研发", "审定", "登记", "选派", "转化",
            "引进", "招引", "举办", "开展", "完成", "发布", "带动", "孵化", "推广", "实施", "申请",
            "授权", "签订", "签约", "服务", "制定", "承担", "攻关", "新认定", "派驻", "吸引",
            "引导", "组织", "培养", "输送", "落地")
# 新增 N of a stock is its change; 备案 N (newly filed) adds N to a registered stock
NEW = ("新增", "新建", "新设立", "新设", "新入驻", "净增", "新组建", "新培育", "备案")
GROW = ("增长", "增加", "提高", "提升", "递增", "增幅", "增速", "上升")
FALL = ("下降", "降低", "减少", "缩减", "压减", "压降")
VERBS = tuple(sorted({*BUILD, *ACTIVITY, *NEW, *GROW, *FALL, *COMPARATORS},
                     key=len, reverse=True))
ADVERBS = ("全市", "全县", "全区", "全省", "全年", "每年", "年均", "累计", "精准", "积极", "努力",
           "大力", "进一步", "持续", "力争", "争取", "确保", "计划", "共", "总计", "合计", "再",
           "重点", "探索", "加快", "逐步", "不断", "深入", "全面", "其中", "当年", "年内", "以上",
           "分别", "各")
# a money amount with one of these in its clause is spending, not an outcome
BUDGET = re.compile(r"总投资|投资额|投资|资金|预算|拨付|安排|补助|补贴|奖励|奖补|资助|经费补助|"
                    r"一次性|给予|配套|贴息|担保|注册资本|融资")
SUBSIDY_RULE = re.compile(r"给予|补助|补贴|奖励|奖补|资助|帮助争取|予以")
# what a count of the plan's own structure looks like: 26项重点指标, 15项工程, 20条措施
PLAN_STRUCTURE = re.compile(r"^(?:重点|主要|具体)?(?:指标|任务|措施|工程|行动|举措|方面|环节|领域|"
                            r"板块|专项行动|政策|条款|要求|目标)")
# names of programmes written with numerals: 百名博士进百企行动, 千企万人工程
PROGRAMME_NAME = re.compile(r"(?:行动|工程|计划|活动|战略|机制|模式|体系)$")
CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUMBER = rf"\d+(?:,\d{{3}})*(?:\.\d+)?|[{CN_DIGITS}]+"
MENTION = re.compile(
    rf"(?P<pct>百分之)?(?P<num>{NUMBER})"
    rf"(?:\s*(?P<dash>[-~—–至到])\s*(?P<hi>{NUMBER}))?"
    rf"(?P<odd>余|多)?(?P<unit>{UNIT_PATTERN})?"
    r"(?P<trail>以上|以下|以内|左右|上下|余|多)?")
YEAR = r"(?:19|20)\d\d"
DEADLINE = re.compile(
    rf"(?P<prep>到|至|截至|截止到|截止|在|于|从)?(?P<year>{YEAR})\s*(?:年(?P<end>底|末|前|内)?)"
    rf"(?![\d月])|(?P<fprep>到|至)?“?十(?P<fyp>[一二三四五六七八九])五”?(?P<fend>末|期末|期间|时期|时)?")
RANGE = re.compile(rf"(?P<a>{YEAR})\s*[-~—–至到]\s*(?P<b>{YEAR})\s*年")
BASE = re.compile(rf"(?:比|较|相比|对比|在)(?P<year>{YEAR})年(?:末|底)?(?:基础上)?")
OPEN = "“‘《〔【「『"
CLOSE = "”’》〕】」』"
CLAUSE_BREAK = set(",;:")
POST_END = re.compile(rf"[,;:、。]|其中|以及|[和及与](?=\d)|\d|[{CN_DIGITS}]+(?:{UNIT_PATTERN})")
SENTENCE_BREAK = set("。!?\n|")
