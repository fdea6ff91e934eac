"""Field answers: one fact of one item, from the catalogue, with its code and source link."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # (the NLU pipeline's small-talk guard reads the cues in Rasa's venv, whose pydantic is older)
    from catalogue.model import ServiceItem

Field = Literal[
    "materials", "time_limit", "location", "phone", "fee", "online", "visits", "hours", "conditions",
    "proxy", "remote", "mail", "expedite", "summary",
]

# Words that ask for one field; checked in order, so the more specific come first (the
# place before materials: "材料交到哪里" asks where). 那里 is often typed for 哪里 ("在那里办理",
# "公证要去那办"). Cantonese, typed on Guangdong's portal: 边度 / 喺边 (where), 几耐 (how long), 几多钱.
# "办到哪一步了" / "到哪了" ask about progress, not a place (data/dict/progress_words.txt).
# "可以办吗": the conditions' cue, which any fact asked whether it can be done holds too ("周末可以办吗").
# The user's own case asked of it, as done, with others or like this ("她是大专学历能报不", "那我老公能跟我
# 一起办吗", "我同学是大专毕业的也能这样办吗"): the words before it tell who, not another service.
# What may end a question after its last word, as said in Shandong and Guangdong ("俺这情况算不算哈").
PARTICLES = "啊呀吧哈咧嘞啦哦噢㗎"
LIKE_THIS = r"(这样|这么|一起|一齐|一块儿?|[跟同和][^，,。？?！!]{1,4}(一起|一齐))?"  # (一齐, 同: Cantonese)
# (not 领不到, 办不了: the verb's result; a confirmation asked asks too: "我们这种…就可以办对吧")
ASKED_END = r"(吗|不(?![到了起成出完动住上])|么|嘛|[，,]?\s*(对吧|是吧|对不对|对吗|是吗)(?=[\s？?。！!]*$))"
VERB_ENDS = rf"(?=[吗呢{PARTICLES}]|[^\u4e00-\u9fff]|$)"  # (not 报警, 考虑, 领养)
DONE_LIKE_THIS = rf"{LIKE_THIS}(办|申请|报名?|考|领|预?约|换|补)"
# 约, 换 and 补 are most often the act of the service asked for ("房产证丢了能补不", "驾驶证到期了能换吗":
# the reissue, the renewal), and ask whether the user's case may only as also ("这种也能约不", "没安排单位
# 也能换不").
ALSO_DONE = rf"[也还都](可以|能){LIKE_THIS}(预?约|换|补)"
# Asked without, they ask no fact, and name no service either: the words before them say which
# ("俺家房产证丢了能补不": 不动产权证书补发; "想请戒毒系统的人来上一堂禁毒课，这个能预约吗").
OWN_ACT_ASKED = re.compile(rf"(能不能|可不可以|可唔可以|可以|(?<!可)能){LIKE_THIS}(预?约|换|补){ASKED_END}"
                           rf"|(能不能|可不可以|可唔可以){LIKE_THIS}(预?约|换|补){VERB_ENDS}")
CAN_IT_BE_DONE = re.compile(
    rf"(能不能|可不可以|可唔可以){LIKE_THIS}(办|申请)(?!销)"
    rf"|(能不能|可不可以|可唔可以){LIKE_THIS}(报名?|考|领){VERB_ENDS}"
    rf"|(可以|(?<!可)能)先?{LIKE_THIS}(办|申请|报名?|考|领){ASKED_END}"  # ("还没审完，现在能先报吗")
    # an agreement signed, asked of the user's case ("我们公司这种情况能签吗"; not "劳动合同我可以签吗")
    rf"|(这种|这样|这个?情况)[^，,。？?！!]{{0,4}}(可以|能)签{ASKED_END}"
    rf"|{ALSO_DONE}{ASKED_END}|得唔得"
)
# ...but whether there is something to be had asks for a service, not who qualifies ("我们这种聚居区
# 出来的还有助学金可以领吗", "有没有补贴能领吗").
THERE_IS = re.compile(
    rf"(?<!没)(还有(?![我你他她俺咱]|多[久长])|有没有|有什么|有啥|有哪些|有冇|有无)[^，,。？?！!]{{0,10}}(可以|能){DONE_LIKE_THIS}"
)
# ...and a thing named at the start of the question's clause asks for that thing's service ("失业金我能
# 领吗", "医药费能报不"), not whether the case fits the one under discussion; one the user has, lacks or
# got tells the case ("我有残疾证能办吗", "我没有房能申请吗", "我交了五年社保能领不").
THING_FIRST = re.compile(
    rf"(^|[，,。？?！!\s])[^，,。？?！!\s有没交缴买办领拿]*[证照卡金费保贴房][我你他她俺咱]?[也还都]?(可以|能){DONE_LIKE_THIS}(吗|不|么|嘛)"
)
# The clause a prerequisite is in asks: it ends the message or a question ("必须先结婚才能办准生证吗", "先得
# 有居住证才行吧").
PREREQUISITE_ASKED = rf"(?=[^，,。；;！!]*?([吗吧么嘛呢？?{PARTICLES}]|不(?=[，,？?。！!\s]|$)|$|[，,]\s*(对吧|是吧|对不对|是不是|对吗|是吗)))"
# Whether the user's case counts ("读大专的也算吗").
# ...or counts as what the service asks ("算得上进入禁航区的正当理由吗", "他这个问题属于民族宗教业务吧").
COUNTS = (rf"[也还都]算数?(吗|不(?![上清错好了])|么|嘛)|算(不|唔)算(?=[\s？?。！!呢{PARTICLES}]*$)"  # (not 还算不错, 说话算数)
          rf"|(算得上|属于)[^，,。？?！!]{{1,16}}(吗|吧|么|嘛)(?=[\s？?。！!{PARTICLES}]*([，,]|$))")


# ...which names no fact either when what is to be had is a paper or a procedure ("有没有免费能办的证",
# "还有什么手续能办"); otherwise its words may ask one ("有没有别的大厅能办", "有冇网上可以办嘅").
THERE_IS_A_SERVICE = re.compile(rf"({THERE_IS.pattern})[的嘅](证|照|卡|手续|业务|补贴|津贴|补助|政策)|(还有|有没有|有什么|有啥|有哪些|有冇|有无)(什么|啥|哪些|别的|其他)?(手续|业务)")


def without_there_is(text: str) -> str:
    """The words without a question whether there is something to be had (`THERE_IS`)."""
    return THERE_IS.sub(" ", text)


# How much a subsidy, an award or a loan gives ("中级的能给多少钱", "最多能贷多少", "能领几多钱"): the
# standard is among the conditions (技能提升补贴: "标准分别为1000元、1500元、2000元"), unless asked as a
# document's cap (actions/documents.py, `asks_amount`). Only the asking words match, so the
# searched words keep 补贴 / 报销; not money the user must pay ("要给多少钱", "断缴了要补多少") nor a count
# ("被退好多次了").
AMOUNT_GIVEN = re.compile(r"(?:(?<=[给发补领贷退返赔])(?<![要得交收缴该][给发补领贷退返赔])|(?<=补贴|奖励|报销))"
                          r"个?(多少|几多|好多)(?!次|个|张|份|项|件|人|家|天|小时|回|遍|趟)")

# Words that name an office, for which of two (or whether at one) the user asks.
OFFICE = "中心|局|所|厅|窗口|街道|社区"

FIELD_CUES: list[tuple[Field, re.Pattern[str]]] = [
    # Papers handed in online, not asked which: whether it can be done online ("签名公证能不能先在网上递材料").
    # Or whether it can be looked at online, asked before the papers' word can be read as the question
    # ("甲午展嘅资料我喺屋企上网睇都得，系咪", "用手机就能查到吧"; not "手机上看到说要带身份证").
    ("online", re.compile(r"(网上|线上|在线|手机上|网站上?|电脑上)先?(递|交|提交|上传|传)(材料|资料|申请)(?![^，,。？?！!]{0,3}(什么|啥|哪|几))|(材料|资料)(能|可以)?(在|喺|放|传到|放到)?(网上|线上|手机上|网站上)(交|递|提交|上传)"
                          r"|(用|喺|在)?(手机上网|电脑上网|手机|电脑|网上|上网|网站)上?(就|都|也)?(能|可以|可)?(睇|看|查|浏览|睇唔睇|看不看|查唔查|查不查)([得的]?到)?"
                          rf"(?=[吗吧么嘛？?{PARTICLES}]|都得|就得|就行|就可以|得唔得|是吧|对吧|系咪|[\s。]*$)")),
    # (The verbs around 电话 ask it too: "打啥电话问" leaves no 打 or 问, read as 咨询, to name a service.)
    ("phone", re.compile(r"打(个|啥|什么|哪个|那个)?(电话|热线)(问问?|咨询)?|总机[^，,。？?！!]{0,4}(多少|几多|几号)|打(哪个|边个)?总机|(有冇|有没有|有无)总机|留(个|下|一下)?(电话|号码|联系方式)|联系(电话|号码)|电话|热线|号码|联系方式|咨询.*打(?!算|工)|打(?!算|工).*咨询|座机|拨(哪|打|几|什么)|打给谁|(怎么|点样)联系|打(几多|多少|哪个|边个)号")),
    ("location", re.compile(r"(窗口|办事大厅|大厅|中心|办事处|办公室|办事点|地方)(到底|具体)?在?(什么|啥|哪个|哪一个|那个)位置|具体位置在哪|喺?边个窗口|在(?!网|手机|电脑)[^，,。？?！!]{1,4}哪(里|儿)(?![^，,。？?！!]{0,3}(能|可以)?(查|看|找到))|哪(里|儿)?办|[在去]哪(里|儿|条路|条街|栋楼?|个房间)?|到哪(?!(里|儿)?(一步|了))(里|儿)?|哪(里|儿)?(交|递|送|提交|递交)|[在去到]那(里|儿)?(办|交|递)|哪个窗口|(?<![改变换迁])地址(?!变更|迁移)|地点|哪个部门|办事大厅|大厅|(?<!办到)边度|喺边度?"
                             r"|几楼|哪一?层|哪条(路|街)|哪栋楼?|哪个房间|(拎|拿|带)(去|到)(哪(里|儿)?|边度?)(交|递)?|再哪(里|儿)?(办|呢|啊|[？?]|$)|(办|弄|交|申请|办事)的?地方|什么地方|啥地方|哪个地方|上哪(儿|里)?(办|去|弄|交)|哪个(单位|办事点|办事处)|(哪些|哪个|哪几个)(单位|部门)在?(管|负责|审批)|谁(审批|批)|(这事|这个|这块|这项|这摊)归谁管|咩部门|边间|[去到]边(间|处|道)|去边个(?=窗口|部门|中心|大厅|场馆|馆|医院|地方|办事处|单位|度|派出所|街道|社区|政务|局|所|区)"
                             r"|(派出所|街道|社区|居委会|村委会)(能|可以)(办|弄)"
                             # which of two offices, or whether at one, an office's word said ("是去公安局还是行政服务中心", "要到区里办
                             # 还是街道就行", "是在政务服务中心吗"; not "是在网上办还是线下办", "在职的还是退休的可以办")
                             rf"|[去到在][^，,。？?！!]{{0,8}}({OFFICE}|区里|镇上|村里)[^，,。？?！!]{{0,3}}还是"
                             rf"|[去到在][^，,。？?！!]{{0,8}}还是[^，,。？?！!]{{0,8}}({OFFICE})"
                             rf"|^是在[^，,。？?！!]{{0,10}}({OFFICE})办?(吗|不|么|嘛|[？?]|$)"
                             # ...or of two places in any words ("是搁学校申请还是上人社"; not "在职的还是退休的", "现在办还是过完年")
                             r"|(?<![现正实存])(在|搁|喺|去|到(?!底))(?!网|线上|手机|电脑)[^，,。？?！!]{1,8}还是(在|搁|喺|去|到|上)(?!网|线上|手机|电脑)[^，,。？?！!]{1,8}"
                             # an address restated to be confirmed ("是送到海珠区怡乐路那边吧", "是去下塘西路那个公共法律服务中心吗",
                             # "窗口是天寿路116号那栋大楼吧", "展厅系咪喺东风东路嗰边", "佢哋喺龙口西路系咪", "去中山七路341号那栋吧",
                             # "材料系咪要拎去先烈东路农业农村厅嗰度")
                             rf"|(^|[，,]|是|是不是|系咪|系唔系|窗口|地址|地点)(佢哋|他们|她们)?(就|应该)?(要|得)?"
                             rf"(在|喺|去|送到|送去|交到|递到|拿到|[拎拿带](去|到)|(?<=窗口|地址|地点)是)"
                             rf"(?![^，,。？?！!]*(网|手机|电脑))[^，,。？?！!]{{2,14}}"
                             rf"(路|街|号|大厦|大楼|楼|层|广场|那边|那儿|{OFFICE})(那边|那儿|那里|那栋|那幢|那座|嗰度|嗰边)?(办|交|递)?(吗|吧|不|么|嘛|系咪|系唔系|是吧|对吧|[？?]|$)")),
    # 手续 asks the papers, not which procedure it is ("交申请这一步是个啥手续", "跟大人参保是一个手续不",
    # "这个手续叫啥"). 要交 asks what to hand in, not 要交钱 / 要交多少 (the fee). Things to bring are asked with an
    # asking word beside them ("需要开什么证明吗", "要不要照片"): 证明, 文件, 照片 alone are part of
    # services' names (无犯罪记录证明, 签发外国人停留证件), which the searched words must keep.
    ("materials", re.compile(r"(带|准备|俾|交|提供|出示)(点|些|啲|什么|啥|哪些|那些|边啲|咩|乜嘢)?证件|(什么|啥|哪些|那些|边啲|咩|乜嘢)证件|材料|带什么|带哪些|要交(?![钱费多]|好?几[百千]|(啥|什么|哪些|哪样)费)|交什么(?!费)|交哪些(?!费)|准备什么|准备哪些|资料|(?<!个啥)(?<!个什么)(?<!一个)(?<!办得落)(?<!办得好)(?<!办完)(?<!办好)(?<!办妥)手续(?!叫)|表格|哪些表"
                             r"|(带|拿|准备|交|提供|揣)(着|上)?(点|些|啲)?(什么|啥|咩|乜嘢)(?!费)|(揣|带|拿)着?(哪些|哪几样)(?=东西|去|过去|来|[？?吗呢]|$)|(要|得|需要|该)准备哪几样|交哪几(样|份)(?!险|保险|费)|(只|光)?(带|交|递)[^，,。？?！!费钱]{1,10}就(能|可以|行|中|够)(?=[^，,。？?！!]{0,4}([吗吧么嘛？?]|对吧|是吧|$))|(提供|揣)哪些(?=人的|信息|东西|[？?吗呢]|$)|(什么|啥|哪些|哪几样)东西|(要|带|拿|准备|交|提供|俾|整)(定|好|齐)?(几样|啲咩|咩|乜嘢)东西|单子|(复印件|原件)(要|需要|带|还是|就行|几份|吗|不)|要(复印件|原件)"
                             r"|要不要带|使唔使带|(?<![具配])附(上|带)?(些|点|啲)?(什么|啥|哪些|咩|乜嘢)|带(别的|着|上)(吗|不|么|嘛|啊|呀|[？?]|$)|带的东西|要准备的|(?<![具配储设装准])备(齐|好|上)?(点|些|啲)?(什么|啥|哪些|咩|乜嘢)"
                             # which papers, brought or readied in full ("得备齐哪几份文件", "还得带齐哪些申报文件")
                             r"|(哪几份|哪几样|哪些)[^，,。？?！!]{1,6}(带|备)齐|(?<![具配储设装准])(带|备|交|递|附)齐?(哪几份|哪几样|哪些)(?!费)(?:[^，,。？?！!]{0,2}(文件|证明|证件|材料|资料|东西))?"
                             r"|(要|需要|得)(不要|不需要)?(开|带|交|提供|出具|准备|整定|整|附上?|附带|补交|递交)?(什么|啥|哪些|咩|啲咩|乜嘢)?(证明|文件|复印件|照片|相片|原件|证件){1,2}(吗|不|么|嘛|啊|呀|[？?]|$)"
                             # one paper named, asked whether brought or stamped ("上户口得带结婚证不", "申请书得盖公章不")
                             r"|(要|需要|得|用)(带|拿|交)(上|着)?[^，,。？?！!]{1,6}(证|书|照|本|卡|单|表)(吗|不|么|嘛|[？?]|$)|(要|需要|得|用)盖[^，,。？?！!]{0,2}章(吗|不|么|嘛|[？?]|$)")),
    # Money the service gives is no fee, whatever NLU read ("招一个人给多少钱": `field_asked`). (Before
    # the fee, apart from the conditions' other words: `CUES` keeps those, the last entry.)
    ("conditions", AMOUNT_GIVEN),
    ("fee", re.compile(r"收费|费用|多少钱|要钱|花钱|掏钱|免费|交钱|工本费|几多钱|花多少(?!个?(工作日|天|日|时间|周|月|年|小时))|收钱|[俾畀]钱"
                       r"|(要|需要|得)(缴|交)费|交多少|[交缴付掏]一笔[^，,。？?！!]{0,4}(钱|费)|(审查|审批|审核|评审|手续|登记|检验|检测|鉴定|工本|办证|证书|认证|考试|报名)费|[收交缴](哪些|什么|啥)费|(办|弄|这个|那个|证)[^，,。？?！!]{0,4}贵(不贵|唔贵|吗|么|嘛)|(?<!补)(交|收|要)好?几(百|千)(块|元|钱)?(?![人平米个名年份张户万])")),
    # (when it opens and closes first: "多会儿开始能弄，截止到啥时候" asks the dates the time limit holds;
    # not "菏泽牡丹花会什么时候开始", a question about the place)
    ("time_limit", re.compile(r"(最长|最快|最慢|最多)(可能|也)?(要|得|需要)?等?(多久|多长时间|多会儿|啥时候|什么时候|几时|多少个?(工作日|天|日)|几个?(工作日|天|日))|(多会儿|啥时候|什么时候|几时|哪天)(开始|起)(能|可以)?(办|弄|申请|报名?|受理|交|领)|截止(到|日期|时间)?|几个?工[作做]日|多久((才|就)?(能|可以)(拿到|拿着|到手|办好|办完|下来|出来))?|多快(?!乐)|多[长少]时间|几天|时限|期限|多少天|多少日子|工[作做]日|几个月|什么时候.*(好|出|拿)|出结果|办结(?=[了没吗么呢不啊呀吧，,。？?！!\s]|$)|几耐|几多日|几日|当天|当场(就|都)?(能|可以)?(办|拿|攞|定|出|批|发|给)"
                              r"|多会儿|有(结果|消息|回复|答复|信)|(给|出)个?(答复|回复)|(?<!先)(办|批|能)下来(?!吧|才|再|以后|之后|后)|(要|得)?等(多久|多长时间|多少个?(工作日|天|日)|多|几|很久|好久|一个月)|即办|周期|来得及|拖很久"
                              r"|(啥时候|几时)(能|可以|有得?)?(好|拿|攞|办好|出|下来|批)|等到(啥|什么)时候|等到几时|(啥|什么)时候(能|可以)?到[账帐]|((啥|什么)(时候|时间)|几时|哪天)[^，,。？?！!]{0,6}(打到|打钱|打款|发钱|发放)|(批|办|下来|出来|拿)得快(不|吗|么|嘛)|得快不快"
                              # how soon, guessed ("额度是不是立马就给", "是不是三天就批", "出院前就能拿到手")
                              r"|(立马|马上|立刻)就?(能|可以)?(给|批|办好|拿到|到手|发|下来)|[一二两三四五六七八九十\d]+个?(工作日|天|日)就(能|可以)?(给|批|办好?|拿到|到手|发|下来|出)|(前|之前|以前)就(能|可以)(拿到|拿着|到手|办好|办完|出来|下来)")),
    ("online", re.compile(r"网上|在线|线上|网办|手机上|网站|系统|平台|小程序|(?i:app)|入口|粤省事|爱山东|网址|(公众号|微信|支付宝)(上|里)?(能|可以|办|弄)|电脑上|手机度|线下办"
                          r"|(用|在)(电脑|手机)(弄|办|申请|报|交|提交|填)|上网(办|睇|查|弄|申请|交|报|约|预约|看|搞|填)(?![了过到咗]|的(?![吧吗啊呀]))")),
    # Whether the user must come in person asks how often one must come: "必须要他本人去吗" (not
    # "本人去不了，能让家人代办吗", "本人不去，能委托别人吗": who may go instead, the 代办 fact;
    # "本人来电咨询", "我本人来过三次了").
    ("visits", re.compile(r"跑几次|几趟|跑动|来几次|去几次|跑一次|跑一趟|(至少|最少|起码)?(得|要)?(?<![只就仅])(去|来|到)一(次|回)(?=(窗口|现场|大厅|馆里?|局里?|中心)?(就|才|吗|吧|么|嘛|行|够|[？?。，,\s]|$))|到现场|(?<![不没])(本人|亲自)(亲自)?行?(去|来|跑|到场|过去)(?![不了过电])"
                         r"|(必须|一定要|非得|只能|得)(要|得)?(本人|自己|亲自)(去|来|跑|过去|到场)?|(不用|无需|唔使|不必|不需要|用不用|需不需要|要不要)(本人|亲自)?(到场|到现场|去现场)(?=[\s？?。！!吗么嘛吧]*$)|一趟|(必须|需要|要|得)(本人)?到场|(本人|亲自)到"
                         r"|(跑|去|来|行)(几|多少|几多|好几)(次|趟|回)|(不用|无需|不必|用不用|要不要|得)[^，,。？?！!]{0,3}跑腿|一回就|一次(就|能|可以|性)?(办|搞|弄)(完|好|定|掂|利索)"
                         # the office between ("俺俩得一块儿去民政局几回", "这个还用专门往税务局跑不"; not "跑了好几回了", "去了几次都没办成")
                         rf"|(?<![能以])[去跑](?![了年])[^，,。？?！!]{{1,6}}(?<!好)几(次|趟|回)(?!了)|[往去到][^，,。？?！!]{{1,6}}跑(不|吗|么|嘛|吧)(?=[\s？?。！!，,{PARTICLES}]*$)|专门(派个?人)?(往|去|到|跑)"
                         # whether one must go there ("领补贴用不用往人社窗口跑")
                         r"|(用不用|要不要|需不需要|得不得|是不是(得|要))(本人|亲自)?[往去到][^，,。？?！!]{1,6}跑"
                         # ...or must run to it ("这个还要跑税务局吗")
                         rf"|(要|得|用|需要)跑(?![腿了])[^，,。？?！!]{{1,6}}(吗|不|么|嘛|吧)(?=[\s？?。！!{PARTICLES}]*$)"
                         # ...or so many times, asked ("是不是也得陪我跑两趟"; not a guess told: "可能得去两次吧")
                         rf"|(是不是|是否|会不会)[^，,。？?！!]{{0,3}}(要|得|需要)[^，,。？?！!]{{0,4}}(跑|去|来|走)(两|二|三)(次|趟|回)|(要|得|需要)[^，,。？?！!]{{0,4}}(跑|去|来|走)(两|二|三)(次|趟|回)(吗|么|不|嘛)")),
    # Who may ("什么样的人才可以约"), whether the user's case may ("我这情况能办吗", "户口迁走了还能约吗").
    ("conditions", re.compile(rf"条件|资格|门槛|够格|限制|几岁|年龄|{CAN_IT_BE_DONE.pattern}|符合|要求|{COUNTS}|(什么|咩|乜嘢|啥|哪些|哪几种|哪种|哪类|什么样的?|啥样的?)情况(下)?(才|可以|能|会|先(可以|能|得))"
                              r"|(什么样|哪些|哪类|什么|啥)的?(人|单位|企业|机构)(或(个人|单位|企业))?才?不?(可以|能)|啥样的?人?才?不?(可以|能)|多少岁|多大(岁数|年纪)|我这(种|个)?情况|这(种|个|样的?)情况[^，,。？?！!]{0,2}(也|还|都)?(能|可以)|(我|我们|俺|俺们|咱|咱们|我哋)是[^，,。？?！!]{1,12}[，,]?(也|还|都)(能|可以)|非得?(要|得)?办[^，,。？?！!]{0,4}不可(?=[^，,。？?！!]{0,8}([吗么不嘛？?]|$))|像?我这(种|样)的?人?(也|还)?(能|可以)(?=(办|补|换|约|申请|领|报名|办理)?[^，,。？?！!]{0,2}([吗不么嘛？?]|$))|还能(办|约|预约|申请|领|换|补)吗"
                              # whether what the user told now qualifies ("围堰已经清掉了，这样就能申请验收了吧")
                              r"|(这样|这么着|咁样|那样)子?(的话)?(就|都)?(能|可以|够|算)(申请|办|报名?|领|批)[^，,。？?！!]{0,4}(了)?(吧|吗|么|不|嘛|未|[？?]|$)"
                              # a prerequisite ("是不是要有读者证才能用", Cantonese "使唔使有读者证先用得",
                              # "是不是要先停掉这边的社保才能开")
                              # asked in the clause that asks, not told ("学校说得先有居住证才能给孩子报名，居住证咋办"), of a
                              # thing to have, not a number to queue with ("要拿到号才能进去吗") nor the service itself ("要办
                              # 的话先得干啥")
                              rf"|(要|需要|得|必须|非得)先?((有|持有|拿到|办)(?!号)(?:(?!的话)[^，,。？?！!]){{1,8}}|结婚)(才|先)(能|可以|用得|得|可|行){PREREQUISITE_ASKED}"
                              rf"|(是不是|是否|使唔使|需唔需要|要不要)(?!(要|得)?先?拿到?号)(要|得)?先?(?:(?!的话)[^，,。？?！!]){{1,10}}(才|先)(能|可以|用得|得|可|行){PREREQUISITE_ASKED}"
                              # who may ("谁都能查吗", "谁可以申请"; not "谁能帮我看看", "找谁可以办": whom to
                              # ask, "谁能约到号啊": a complaint, "大厅里谁都能插队")
                              r"|(?<![找问让叫搵揾])(谁|边个)都?(可以|能)(办理|办|申请|查|领|报名|预约|考)(?![到着])"
                              # (查 stays in the searched words: it may name a lookup, "那个进度也能查吗")
                              r"|[还也](能|可以)(?=查吗)"
                              # a step asked as one that must come first ("是不是得查实了才给"; not "等了三个月了才给我办",
                              # a complaint, nor "是不是要先预约", where 预约 is the service asked about)
                              r"|(是不是|是否|要不要|必须|非得|得)[^，,。？?]{0,8}了才(给|发|能|可以|批|办|受理)")),
]

CUES: dict[Field, re.Pattern[str]] = dict(FIELD_CUES)

# Facts NLU has no intent for, asked of the item under discussion: the office hours, and what
# the record may say of 代办, 异地, 邮寄, 加急 (RECORD_FACTS). Per fact, the words that say which
# (one must be there) and words that go with them. `actions.answer.fact_asked` takes a message
# for such a question when, these taken out, it says nothing else ("周末能办吗", "中午去有人吗",
# "可以找人代办吗"); `fact_of_the_named` when its last clause asks it (`fact_ending`) and the
# word is not part of what the message's words find, so a question about a service is searched
# as it is ("公司关门了怎么注销", "低保申请可以代办吗" for 最低生活保障申请代办, "护照急用怎么办").
# Who may go instead of the user (not 孩子: "能给孩子办吗" asks for the child, not by whom),
# when sent or helping ("让我媳妇去办", "家人帮我领"; not "老公交了社保", who did it).
GO_INSTEAD = "(办|领|交|代|补|换)"  # (补, 换: "我替他去补行不行")
OTHERS = "别人|他人|家人|家属|亲属|亲戚|朋友|同事|家里人|子女|配偶|父母|家长|监护人|媳妇|老婆|老公|爱人|丈夫|妻子"
FACT_CUES: list[tuple[Field, re.Pattern[str], re.Pattern[str]]] = [
    ("hours", re.compile(r"几点钟?|周末|双休日|周[六日天]|星期[六日天]|礼拜[六日天]|(法定)?节假日|法定假日|放假|中午|晌午头?|午休|晚上|早上|[上下]午"
                         r"|开不开门|开门|关门|上不上班|[上下]班了?吗|(办公|工作|营业|[上下]班)时间|值班|截止"),
     # (the office whose hours they are: "派出所礼拜六上班不", "制卡网点几点关门")
     re.compile(r"有没有人|有人|休息|平时|平常|平日|最晚|最早|[上下]班|窗口|大厅|派出所|网点|办事处|营业厅|服务中心|开始")),  # (not 上班 alone: "我在济南上班" says where the user is)
    ("proxy", re.compile(rf"代办|代领|代交|委托|代理人|(找人|让人|请人)(帮忙|帮|替|代)?[我他她]?去?{GO_INSTEAD}"
                         rf"|[让叫请托找][我他她]?({OTHERS})(帮忙|帮|替|代)?[我他她]?去?{GO_INSTEAD}|({OTHERS})(帮忙|帮|替|代|去)[我他她]?去?{GO_INSTEAD}"
                         rf"|替[我他她]去?(办|领|交|补|换)(?!的)"),
     re.compile(rf"帮忙|[帮替代让叫]|{OTHERS}")),
    # (whose 户口 it is goes with it: "她户口在外省，能在我们这边领吗", "户口还在老家临沂，在这边能换吗")
    ("remote", re.compile(r"((户口|户籍)[还都也]?在)?(外地|外省|省外)|(户口|户籍)([还都也]?在老家|不在)|异地|跨省|跨市|通办|不在本地"),
     re.compile(rf"人|[在去]|领(?=[吗不呢{PARTICLES}]|$)|这边|这里|我们|咱们|俺们")),
    ("mail", re.compile(r"邮寄|寄到|寄回|寄给|快递|寄"), re.compile(r"家里|家|回来|过来|结果|办好")),
    ("expedite", re.compile(r"加急|急件|急用|加快|(快点|尽快)办"), re.compile(r"服务|处理|办理|办")),
]
# Asking words that go with any of them ("能不能加急", "行不行").
ASKING = re.compile(r"能不能|可不可以|可以不|行不行|是不是|有没有|不")


def asks_how_or_a_fact(text: str) -> bool:
    """Whether a message asks how to get something done or a fact of it: what a service answers."""
    return bool(ASKS_HOW_TO_DO.search(text)) or cues_a_field(text)


def cues_a_field(text: str) -> bool:
    """Whether a message cues a field (FIELD_CUES), the conditions' "可以办吗" aside: a fact asked
    whether it can be done holds it too ("周末可以办吗"), but "晚上能网上办吗" asks about applying online."""
    return field_cued(text) is not None


# Handing in, told as the step before what is asked ("交了材料以后多久能拿到证", "从递材料到发证要等多长", "交咗资料之后几耐
# 先攞到", "材料都交齐了，几天能办好", "材料交上去以后，几个工作日能换好"), as what the user goes to do
# ("自然资源厅在广州哪儿，俺得去交材料"), or asked where it goes
# ("材料交去边度", "资料要寄到哪"): no question about the materials.
# (Of the latter only the noun: "交到哪里" still asks where. Not materials asked for: "再附上些啥材料交上去".)
# Where they go, asked before them ("喺边度递材料", "在哪儿交申请材料": the noun after a where-word and a verb
# of handing in, a lookbehind each, as Python's must be of fixed width) or after ("材料在哪交", "交材料要去哪").
WHERE_HANDED_IN = "|".join(
    f"(?<={where}{verb}{what})"
    for where in ("哪", "哪里", "哪儿", "边度")
    for verb in ("交", "递", "提交", "递交", "送")
    for what in ("", "申请")
)
HANDED_IN = re.compile(r"(交|递|提交|递交)(了|咗|完|齐|好)?(材料|资料)(了|咗)?(之后|以后|后)|(?<=[去来])(交|递|送)(材料|资料)(?![^，,。？?！!]{0,3}(什么|啥|哪|几|咩))|从(交|递|提交|递交|报|送)(材料|资料)(到|起)|(交|递|提交|递交)(了|咗|完|齐|好)(材料|资料)"
                       r"|(?<!啥)(?<!什么)(?<!哪些)(材料|资料)(都|已经)?(交|递)(了|咗|齐了|完了|上去|齐(?=后|以后|之后))|(材料|资料)(?=(系咪|是不是)?(要|得)?((交|递|送|寄)(去|到|给)|(拎|拿|带)去))"
                       rf"|(?:{WHERE_HANDED_IN})(材料|资料)|(材料|资料)(?=(要|得)?(在|去|到|喺)(哪(里|儿)?|边度?)(交|递|提交|递交|送))"
                       r"|(?<=[交递送])(材料|资料)(?=(要|得)?(去|到|在|喺)(哪|边度))"
                       # ...or taken there ("俺想亲自把申报材料送过去，是在…吧")
                       r"|(材料|资料)(?=(亲自|直接)?(送|拿|带|拎|寄)(过去|过来))")


# Where a result is seen ("在系统里查到", "喺网上睇到"): beside another fact's cue, no way of applying asked (`field_asked`).
SEEN_ONLINE = re.compile(r"(在|喺)(网上|系统|平台|网站|官网)(里|上|度)?(就)?(能|可以|得)?(查到|查得到|看到|看得到|睇到|睇得到|查询到|见到)")


# A condition told before the question ("如果网上不行，是不是还得专门回广东跑一趟"): its words ask
# nothing when the rest of the message asks something.
PREMISE = re.compile(r"(?:^|(?<=[，,。！!？?；;\s我你他她咱俺]))(如果|要是|假如|假设|万一|若是)[^，,。？?！!；;]*[，,]")  # (not 主要是, 只要是)


# Whether it can still be done after what has happened to the user ("六十多岁了还能办吗", "我已经退休了还能
# 申请吗"): their case, whatever field NLU read.
STILL_AFTER = re.compile(rf"了[，,]?\s*[我他她俺]?[还也](可以|能){DONE_LIKE_THIS}{ASKED_END}")


def field_cued(text: str) -> Field | None:
    """The field a message's words cue, the conditions' "可以办吗" and materials handed in aside
    (`cues_a_field`), but for a case told (`STILL_AFTER`); outside a premise if they cue one
    there, and in the sentences that ask."""
    asked = asked_sentences(text)
    if STILL_AFTER.search(asked) and detect_fact(text) is None:  # (not "放假了还能办吗": the hours)
        return "conditions"
    told = CAN_IT_BE_DONE.sub(" ", HANDED_IN.sub(" ", asked))
    return detect_field(PREMISE.sub(" ", told)) or detect_field(told)


def field_asked(intent_field: Field | None, text: str) -> Field | None:
    """The field a message asks: NLU's, unless its words say none of that field's cues and cue
    another ("需要什么资格", "要满足啥要求": NLU ask_materials; "要跑到哪去办": ask_visits). Where
    both have words NLU tells which is asked (materials handed in are no such words: `HANDED_IN`;
    nor words of a sentence that only tells: `asked_sentences`)."""
    told = AMOUNT_GIVEN.sub(" ", HANDED_IN.sub(" ", asked_sentences(text)))  # (money given: no fee's 多少钱 left)
    cued = field_cued(text)
    if intent_field is None or cued is None or cued == intent_field:
        return intent_field or cued or detect_field(told)
    if cued != "online":  # ("几个工作日能在系统里查到记录": the time)
        told = SEEN_ONLINE.sub(" ", told)
    return intent_field if CUES[intent_field].search(PREMISE.sub(" ", told)) else cued


# A message's clauses, each with the marks that end it (a clause's "？" asks).
CLAUSES = re.compile(r"[^，,。！!？?；;]+[，,。！!？?；;]*")


def other_field_asked(text: str, field: Field) -> Field | None:
    """A second fact a message asks beside `field`, each in a clause of its own that asks ("要多久，收费吗",
    "在哪办？电话多少"), so both are answered. Not a clause that only tells ("我在网上看到说要带身份证，到哪里交"),
    nor a premise ("要是收费的话，多少钱")."""
    asked: list[Field] = []
    for clause in CLAUSES.findall(PREMISE.sub(" ", text)):
        cued = field_cued(clause) or ("hours" if fact_asked(clause) == "hours" else None)
        if cued and cued not in asked and (asks(clause) or CONFIRMS.search(clause)):
            asked.append(cued)
    others = [cued for cued in asked if cued != field]
    return others[0] if field in asked and others else None


def fact_asked(text: str) -> Field | None:
    """The fact (FACT_CUES) a message names and asks ("签注那个窗口礼拜六开不开门": the hours)."""
    return detect_fact(text)[0] if asks_a_fact(text) else None


def detect_fact(text: str) -> tuple[Field, str] | None:
    """The fact a message's words name (FACT_CUES) and the message without them."""
    for fact, says, _ in FACT_CUES:
        if says.search(text):
            return fact, without_fact(text, fact)
    return None


def without_fact(text: str, fact: Field) -> str:
    """The text without the words that ask `fact` (its cue, the words going with it, asking words)."""
    _, says, goes_with = next(cue for cue in FACT_CUES if cue[0] == fact)
    return ASKING.sub(" ", goes_with.sub(" ", says.sub(" ", text)))


# Asking how to get a service done ("该办什么手续", "怎么申请"): a service question, whatever the
# message tells beside it (a story NLU reads as a complaint). Not "怎么办" alone, which ends
# complaints ("楼上漏水怎么办") as often, nor a repair asked for ("怎么申请维修", "怎么登记报修").
ASKS_HOW_TO_DO = re.compile(
    r"(怎么|怎样|如何|咋|点样)(去)?(申请|申领|办理|补办|换领|领取|办证|过户|续期|延续|变更)(?!维修|疏通|整改|处理|报修|维权|仲裁|赔偿|补偿)"
    r"|(办|需要|要|该|得)(些)?(什么|啥|哪些|咩)手续|手续(怎么|咋|如何|点样)(办|弄)"
    # which licence one must get first, asked last or before a short clause ("废水要往外排，环保那边得先拿个啥证",
    # "…得先办个啥证？急"; not "窗口说得先办个啥证，问了三遍都说不清楚", nor of others: "他们不是需要取得什么许可才能施工吗")
    r"|^(?!.*(?:被|俾|冒用|冒名|盗|扣|不给|不还|没人管|不管|折腾|他们|人家))"
    r".*(要|得|需要|该)先?(拿|办|领|申请|弄|取得)(个|些|张)?(什么|啥|哪些|咩|哪个|哪种)(证件|证照|证|许可证?|执照|牌照|批文)[^，,。？?！!]{0,4}"
    r"[吗呢啊呀？?。！!\s]*([，,。？?！!][^，,。？?！!]{0,6})?[吗呢啊呀？?。！!\s]*$"
    # a licence right before "怎么办" asks how to get it ("卖吃的那个许可咋办", "营业执照怎么办"),
    # unless the message tells trouble with one ("营业执照被冒用了，这个证怎么办", "物业扣着我的房产证
    # 怎么办", "楼下烧烤店没有卫生许可怎么办"); not 卡 (lag: "APP老是卡怎么办") nor 照 (拍照)
    r"|^(?!.*(?:被|俾|冒用|冒名|冒领|盗|扣|不给|不还|不办|没有|没发|拖|错|乱|停|违|黑|一直|拿走|撤))"
    r".*(?:证|执照|驾照|护照|车牌|牌照|许可证?|备案|登记)(要|该|得|应该)?(怎么|怎样|如何|咋|点样)(办|弄)"
    # (the same in Cantonese: "喺呢边考车牌要点搞", "执照点搞"; not 几点, 早点, nor an office, 登记点 / 办证点)
    r"|^(?!.*(?:被|俾|冒用|冒名|冒领|盗|扣|不给|唔俾|不还|不办|没有|冇|没发|拖|错|乱|停|违|黑|一直|拿走|撤))"
    r".*(?:证|执照|驾照|护照|车牌|牌照|许可证?|备案|登记)((要|该|得|应该)点(搞|办|申请|样搞)|点样?搞)"
)


# A business, place or pastime asked to be recommended ("广州哪家影楼好", "有冇好食嘅茶楼推介"): no office
# gives that, whatever service its words name; what an office recommends it may ("省农业农村厅今年有推荐
# 的主导品种吗": 主导品种推介); nor the user recommended for something ("学院推荐我参加…比赛", "单位推荐了俺去评").
ASKS_FOR_A_RECOMMENDATION = re.compile(r"^(?!.*(厅|局|委|政府|部门|官方)).*((?<!被)推荐(?!我|俺|咱|他|她|了|过)|推介|哪家.{0,2}好)")


# A message that asks: a final particle ("能加急不", Shandong's "不咧"; not the 么 of 什么) or
# question mark, or an asking word (X不X: "开不开门", "能不能"; not 不 inside: "不客气，周末愉快").
QUESTION = re.compile(r"(?:(?:[吗嘛呢不]|不咧|(?<![什怎这那多])么)[\s？?!！。~～]*|[？?]\s*)$|可以不|有没有|(.)不\1")


# A sentence that only tells, beside one that asks ("补一本要几耐？下个月佢仲要攞嚟搭免费车㗎。":
# 免费 is the bus's, the time is asked): no question mark, particle or asking word.
SENTENCES = re.compile(r"[^。！!？?；;]+[。！!？?；;]*")
ASKING_IN_WORDS = re.compile(r"什么|啥|哪|多少|多久|几|怎|咋|如何|吗|呢|么|嘛|咩|乜|边|点样|是否|是不是|能不能|可不可以|要不要|有没有|有冇"
                             # who, and Cantonese ones: may (可唔可以), need (使唔使), done yet (搞掂未); not 谁 told
                             # ("也不知道谁收的", "谁知道地铁又晚点了", "谁都不想出门", "这年头谁还用现金")
                             r"|(?<!知道)谁(?!知道|都(?!能|可以)|也|家|受|还)|可唔可以|使唔使|得唔得|未\s*[？?]?\s*$")


# Words wanting something done, or telling a problem that wants it: with asking words, what makes
# a message more than a remark ("最近实验室搬到黄埔，通勤每天两个小时，人都快废了。" asks and wants nothing;
# nor does 不想/唔想: "今日热到爆，出门口都唔想。").
WANTING = re.compile(r"(?<![不唔没冇])想|要(?!是)|需要|打算|准备|办|申请|咨询|了解|问|请|帮"
                     # a problem told wants its remedy ("老公的社保断缴了三个月", "我的驾驶证扣满12分了")
                     r"|丢|不见|过期|到期|断缴|断了|扣|坏|错|没人|冇人|欠")


# A remark that holds a fact's word but tells rather than asks ("她们学校就业办的电话一上午都占线", "财务说光准备
# 申报材料就得熬一礼拜"): no asking word (几 of an amount told, 好几/十几, is none), no clause ending as a question,
# nothing asked for (a request, 想, 可以, "…给一个", a choice between two or made, 多快, 在那… last, typed for
# 在哪). Chosen on the dialogue files written before session 57: it holds 18 of their asides and one field
# question, typed wrong (多九 for 多久).
AMOUNT_TOLD = re.compile(r"好几|十几|几十|几百|几千")
CLAUSE_ASKED = re.compile(r"[吗不么呢没冇未][，,？?。！!\s]|(.)[唔不]\1|[没冇]\s*$|[？?]")
ASKED_FOR = re.compile(r"可以|多长|多会|多咱|多大|多快|多早|几时|(?<!不)选|系咪|唔使|还是|(?<![不没])想|要的是|给一下|告诉|发我|发给|给我|给俺|说说|说一下|讲讲"
                       r"|查一下|看看|问一下|问问|请问|麻烦|帮|求|吧|呗|啊[？?]?$|呀$|行$|[给来发]一?个[\s。！!]*$"
                       r"|在那(个|里|儿)?[^，,。！!]{0,4}$")  # (where, typed as there: "这个在那个窗口办")
REMARK_CHARS = 8  # shorter words are a fact's name asked ("电话", "办理地点", "材料清单")


def only_tells(text: str) -> bool:
    """Whether a message tells without asking anything (`ASKED_FOR`), however many fact's words it holds."""
    return len(text) >= REMARK_CHARS and not asks(AMOUNT_TOLD.sub(" ", text)) and not CLAUSE_ASKED.search(text) and not ASKED_FOR.search(text)


def asks(text: str) -> bool:
    """Whether a message asks: a question's ending or an asking word."""
    return bool(QUESTION.search(text) or ASKING_IN_WORDS.search(text))


def asks_or_cues_a_field(text: str) -> bool:
    """Whether a message (or a clause) asks anything: a question's ending, an asking word or a field's cue."""
    return asks(text) or cues_a_field(text)


def asks_or_wants(text: str) -> bool:
    return asks(text) or bool(WANTING.search(text))


def asked_sentences(text: str) -> str:
    """The sentences of a message that ask, those that only tell left out, when they cue a field
    themselves; else the message as it is ("我想了解一下办理地点。能告诉我吗？" asks the place)."""
    sentences = SENTENCES.findall(text)
    asking = "".join(s for s in sentences if asks(s))
    return asking if asking and asking != "".join(sentences) and detect_field(asking) else text


def last_clause(text: str) -> str:
    clauses = [c for c in re.split(r"[，,。；;！!]", text) if c.strip(" ？?")]
    return clauses[-1] if clauses else ""


def fact_ending(text: str) -> tuple[Field, str] | None:
    """The fact a message's last clause asks, and the word that names it ("结婚登记能找人代办吗":
    proxy, 找人代办). Only the last clause, and only asking: these words are often the story
    before a question ("周末想做点志愿服务，怎么找…", "外地户口，想办个居住证")."""
    clause = last_clause(text)
    if not QUESTION.search(clause):
        return None
    for fact, says, _ in FACT_CUES:
        if match := says.search(clause):
            return fact, match.group(0)
    return None


def asks_a_fact(text: str) -> bool:
    """Whether a message asks one of those facts: its word with a word that goes with it or
    asks ("中午去有人吗", "周六开门吗"), not the word alone ("中午好", a greeting)."""
    return any(says.search(text) and (goes_with.search(says.sub(" ", text)) or QUESTION.search(text)) for _, says, goes_with in FACT_CUES)


def asks_a_fact_last(text: str) -> bool:
    """Whether a message's last clause asks one of those facts ("礼拜六开门不"), not a decline that
    tells one before or in it ("不办了，晚上还要上班", "不用了，我在外地")."""
    clause = last_clause(text)
    return asks(clause) and asks_a_fact(clause)


# What the record says of a fact it has no field for: its own sentences that speak of it
# (conditions, materials, time limit), quoted; else "目录未载明", never guessed from
# another field ("能找人代办吗" used to get the time limit, "可以加急吗" the online link).
RECORD_FACTS: dict[str, tuple[str, re.Pattern[str]]] = {
    "proxy": ("能否委托他人代办", re.compile(r"委托(他人|代理人|家属|亲属|近亲属)|可委托|代理人|受托人|代办人|代为(申请|申领|办理|提出|领取|提交)|授权委托书")),
    "remote": ("能否异地办理", re.compile(r"通办|异地(办理|换领|申领|补领|换证|受理)|核发地以外|不受户籍")),
    "mail": ("能否邮寄", re.compile(r"邮寄(送达|到|至|给)|(免费|可|可以)邮寄|(寄递|快递)送达|寄送")),
    "expedite": ("能否加急", re.compile(r"加急|急件|绿色通道|急办")),
}


# How many times one may do a thing is a condition, not trips to the office ("这个是不是只能转一次",
# "一个月能去看几次", "公积金一年能提3次吗"; NLU reads them as ask_visits): a count of times after a
# period or 只能. "最多跑一次吗", "可以只去一次吗" are trips. Not a cue to strip from the searched
# words (its verb may name the service: 提 of 提取).
TIMES_ALLOWED = re.compile(
    r"((每|一)(年|个月|月|周|星期|天|辈子)|只能|最多能|总共能)[^，,。？?跑趟]{0,6}(几|[一两二三四五六七八九十\d])次(?![性办搞弄跑就])"
)


# An age said ("他今年72岁", "我妈都八十多岁了", "孩子刚满16周岁"): said alone while a service is
# under discussion, it asks whether that age qualifies (`actions.answer.read_words`).
# Whose age it is goes with it ("我妈", "老人家"): said alone, the age is the whole message.
WHOSE = r"(我|他|她|俺|咱|本人|我们?家)?(妈妈?|爸爸?|母亲|父亲|爷爷|奶奶|姥姥|姥爷|外公|外婆|老人家?|老伴|孩子|儿子|女儿|闺女|小孩|娃|宝宝|老公|老婆|媳妇|爱人)?"
AGE_SAID = re.compile(WHOSE + r"(今年|已经|已|都|刚|快|满|年满|刚满)?\s*(\d{1,3}|[一二两三四五六七八九十百]{1,4})\s*多?\s*(周岁|岁)(半|多)?(了|啦)?")


# Whether the user's case qualifies, asked at the end of what tells the case ("读大专的也算吗", "她是
# 大专学历能报不", "他是临时工能办吗"): the words before the question say who, not which service.
CASE_QUALIFIES = re.compile(rf"({CAN_IT_BE_DONE.pattern}|{COUNTS})[\s？?。！!呢{PARTICLES}]*$")


def asks_if_case_qualifies(text: str) -> bool:
    return CASE_QUALIFIES.search(THING_FIRST.sub(" ", without_there_is(text))) is not None


def asks_times_allowed(question: str) -> bool:
    return TIMES_ALLOWED.search(question) is not None


# Asked to be told or sent something ("地址给俺说下", "号码发我呗"): a question without a question word.
TELL = r"(发|给|告诉)给?"
ASKED_TO_BE_TOLD = re.compile(rf"{TELL}(我|俺)|说(一?下|说)")
# ...what a field's word names, the words asking, not naming ("具体地址发我一下").
SENT_TO_ME = re.compile(rf"(?<=号码|电话|地址|链接|网址|方式|热线)\s*{TELL}(我|俺|下)(一下|下)?[呗吧啊呀嘛]?")


def strip_field_cues(text: str) -> str:
    """The words without those that ask a field ("要带什么材料", "在哪办") or whether it can be
    done (`OWN_ACT_ASKED`)."""
    text = SENT_TO_ME.sub(" ", text)
    for _, cue in FIELD_CUES:
        text = cue.sub(" ", text)
    return OWN_ACT_ASKED.sub(" ", text)


def detect_field(question: str) -> Field | None:
    # Whether there is something to be had asks no condition; another field its words may ask ("有没有
    # 别的大厅能办"), unless what is to be had is a paper or procedure (`THERE_IS_A_SERVICE`).
    without = without_there_is(question)
    any_field = without if THERE_IS_A_SERVICE.search(question) else question
    for field, cue in FIELD_CUES:
        found = cue.search(without if field == "conditions" else any_field)
        if found and found.group(0) in BARE_NOUNS:
            # What the clause asks of the papers or the hall, if anything ("这些表格是不是网上直接下载就行": online;
            # "用不用亲自去大厅": visits), not the thing itself; else the thing's own fact ("需要什么材料"; and what is
            # required of the papers is theirs: "材料有什么要求").
            clause = next(c for c in CLAUSES.findall(any_field) if found.group(0) in c)
            asked_of_it = detect_field(clause.replace(found.group(0), "，", 1))
            return asked_of_it if asked_of_it not in (None, "conditions") else field
        if found:
            return field
    return "conditions" if asks_times_allowed(without) else None


# Things a fact is asked of, which cue their own fact only when nothing else in their clause is asked.
BARE_NOUNS = frozenset({"材料", "资料", "表格", "大厅", "办事大厅"})


# Restating what was said and asking to confirm it ("那就是说领执照不花钱对吧", "即系网上都可以直接查到，系咪"):
# a fact of what is under discussion, told as the user understood it.
CONFIRMS = re.compile(r"^(?:那|咁|所以|也)?(?:就是说|即系|即是话|意思是)|(?:对吧|是吧|系咪|係咪|对不对|冇错吧|没错吧|(?<![这那就还可])(?:是吗|对吗))[\s？?。！!~～]*$")
# The fact a confirmation tells where no cue asks one ("评残、领证前后得去两回是吧", "不用抱着孩子去窗口是吧",
# "一定要考核合格先可以申请，系咪"): these words tell a value, which outside a confirmation is a remark.
CONFIRMED_FACTS: tuple[tuple[Field, re.Pattern[str]], ...] = (
    ("visits", re.compile(r"(去|跑|走)[一两二三几]?(回|趟|次)|(不用|无需|唔使|不必)[^，,。]{0,6}(跑|去|到|走)")),
    ("conditions", re.compile(r"(合格|符合|满足|够)[^，,。]{0,6}(才|先)(能|可以|可)")),
)


def confirmed_fact(text: str) -> Field | None:
    """The fact a message asks to confirm, when it is a confirmation (`CONFIRMS`)."""
    if not CONFIRMS.search(text):
        return None
    return detect_field(text) or next((fact for fact, tells in CONFIRMED_FACTS if tells.search(text)), None)


def _or_unknown(value: str | None) -> str:
    return value if value else "目录未载明"


def _time_limit(item: ServiceItem) -> str:
    if not item.statutory_limit and not item.promised_limit:
        return "目录未载明办理时限"
    parts = []
    if item.promised_limit:
        # Only a span ("10个工作日") is finished within, before any note in brackets ("10个工作日内办结
        # （异地办理15个工作日）"); "即办（新生儿出院前签发）", "冷静期届满后即办" and "免申即享，按批次发放"
        # are said as they are.
        span, bracket, note = item.promised_limit.partition("（")
        parts.append(f"承诺{span}内办结{bracket}{note}" if span[:1].isdigit() else f"承诺{item.promised_limit}")
    if item.statutory_limit:
        parts.append(f"法定时限{item.statutory_limit}")
    return "，".join(parts)


def _online(item: ServiceItem) -> str:
    if not item.online:
        return "目录显示此事项暂不支持网上办理，需到窗口办理"
    return f"可以网上办理：{item.online_url}" if item.online_url else "可以网上办理"


def _materials(item: ServiceItem) -> str:
    if not item.materials:
        return "目录未列出所需材料，请咨询办理部门"
    listed = "；".join(f"{n}. {m}" for n, m in enumerate(item.materials, 1))
    return f"共{len(item.materials)}项材料：{listed}"


def _record_fact(item: ServiceItem, label: str, evidence: re.Pattern[str]) -> str:
    texts = [item.conditions or "", *item.materials, item.promised_limit or ""]  # (not the place: one unit's)
    # (a sentence whose matched words are in the service's own name is about the service itself)
    said = [s for text in texts for s in re.split(r"(?<=[。；;])", text) if (m := evidence.search(s)) and m.group() not in item.name]
    if not said:
        return f"目录未载明{label}，请向办理部门或12345政务服务便民热线咨询"
    return f"关于{label}，目录载明：" + "；".join(dict.fromkeys(s.strip("。；; ") for s in said))


def field_value(item: ServiceItem, field: Field) -> str:
    if field == "materials":
        return _materials(item)
    if field == "time_limit":
        return _time_limit(item)
    if field == "location":
        return f"办理地点：{_or_unknown(item.location)}（{item.department}）"
    if field == "phone":
        text = f"咨询电话：{_or_unknown(item.phone)}"
        return text + (f"；监督投诉电话：{item.complaint_phone}" if item.complaint_phone else "")
    if field == "fee":
        return f"收费：{item.fee}" if item.fee else "目录未载明收费信息，请向办理部门确认"
    if field == "online":
        return _online(item)
    if field == "visits":
        if item.visits is None:
            return "目录未载明跑动次数"
        return "全程网办，无需跑动（0次）" if item.visits == 0 else f"最多跑{item.visits}次"
    if field == "conditions":
        return f"受理条件：{_or_unknown(item.conditions)}"
    if field in RECORD_FACTS:
        return _record_fact(item, *RECORD_FACTS[field])
    if field == "hours":
        if item.hours:
            return f"办公时间：{item.hours}（{item.department}）"
        return "目录未载明办公时间" + (f"，请致电确认：{item.phone}" if item.phone else "，请向办理部门确认")
    return "；".join(
        [
            f"办理部门：{item.department}",
            _materials(item),
            _time_limit(item),
            field_value(item, "visits"),
            _online(item),
        ]
    )


def citation(item: ServiceItem) -> str:
    link = item.source_url or item.online_url
    return f"（事项编码 {item.code}" + (f"，来源 {link}）" if link else "）")


def field_answer(item: ServiceItem, field: Field) -> str:
    """A one-fact answer about `item`, citing its code and source link."""
    return f"【{item.name}】{field_value(item, field)}{citation(item)}"
