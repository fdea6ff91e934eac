"""The policy central kitchen: import, matching semantics, reasons, extraction, evaluation."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policies.book import PolicyBook
from policies.evaluate import extraction_scores
from policies.extract import extract, normalise
from policies.importer import import_policies
from policies.matcher import RESULT_NAMES, STATUS_NAMES, PolicyTable, ProfileFrame, condition_statuses, results
from policies.model import Conditions, PolicyRecord, Profile

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "policies"  # copies of ../shared/data/policies (authored samples)


def dev_policies() -> list[PolicyRecord]:
    result = import_policies(DEV / "policies_dev.jsonl")
    assert not result.errors
    return result.records


def dev_profiles() -> list[dict]:
    return [json.loads(line) for line in (DEV / "profiles_dev.jsonl").read_text(encoding="utf-8").splitlines()]


def test_gold_conditions_reproduce_the_gold_explanations_exactly():
    policies, records = dev_policies(), dev_profiles()
    table = PolicyTable.from_conditions([p.id for p in policies], [p.conditions for p in policies])
    frame = ProfileFrame.from_profiles(
        [Profile.model_validate(r["profile"]) for r in records], [dt.date.fromisoformat(r["as_of"]) for r in records]
    )
    statuses = condition_statuses(table, frame)
    result = results(statuses, (len(table), len(frame)))
    row = {p.id: i for i, p in enumerate(policies)}
    col = {r["profile_id"]: j for j, r in enumerate(records)}
    lines = [json.loads(line) for line in (DEV / "condition_gold_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(policies) * len(records)
    for gold in lines:
        i, j = row[gold["policy_id"]], col[gold["profile_id"]]
        mine = {f: STATUS_NAMES[s[i, j]] for f, s in statuses.items() if table.present[f][i]}
        assert mine == gold["conditions"], gold
        assert RESULT_NAMES[result[i, j]] == gold["result"], gold


def test_one_policy_against_many_profiles_equals_each_profile_alone():
    policies, records = dev_policies(), dev_profiles()
    table = PolicyTable.from_conditions([p.id for p in policies], [p.conditions for p in policies])
    profiles = [Profile.model_validate(r["profile"]) for r in records]
    together = results(condition_statuses(table, frame := ProfileFrame.from_profiles(profiles, dt.date(2025, 7, 1))),
                       (len(table), len(frame)))
    for j, profile in enumerate(profiles):
        alone = ProfileFrame.from_profiles([profile], dt.date(2025, 7, 1))
        assert (results(condition_statuses(table, alone), (len(table), 1))[:, 0] == together[:, j]).all()


def test_years_are_counted_on_each_profiles_own_date():
    conditions = Conditions(established_years_min=1, person_age_max=35)
    table = PolicyTable.from_conditions(["P"], [conditions])
    company = Profile(kind="企业", established_date=dt.date(2024, 7, 1), age=30)
    frame = ProfileFrame.from_profiles([company, company], [dt.date(2025, 7, 1), dt.date(2025, 6, 30)])
    assert results(condition_statuses(table, frame), (1, 2)).tolist() == [[0, 2]]  # the anniversary counts


def test_region_containment_and_a_coarser_profile_is_unknown():
    table = PolicyTable.from_conditions(["city", "county", "two"], [
        Conditions(region=["370100"]), Conditions(region=["370211"]), Conditions(region=["371000", "370200"])])
    frame = ProfileFrame.from_profiles([Profile(kind="企业", region=c) for c in ("370102", "370200", "370211")],
                                       dt.date(2025, 7, 1))
    assert results(condition_statuses(table, frame), (3, 3)).tolist() == [[0, 2, 2], [2, 1, 0], [2, 0, 0]]


def test_import_reports_each_bad_row_and_keeps_the_rest(tmp_path):
    good = json.loads((DEV / "policies_dev.jsonl").read_text(encoding="utf-8").splitlines()[0])
    rows = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({**good, "id": "X2", "conditions": {"revenue_min": -5}}, ensure_ascii=False),
        json.dumps({**good, "id": "X3", "conditions": {"region": ["济南"]}}, ensure_ascii=False),
        json.dumps({**good, "id": "X4", "conditions": {"person_age_min": 60, "person_age_max": 18}}, ensure_ascii=False),
        json.dumps({**good, "id": "X5", "conditions": {"colour": "red"}}, ensure_ascii=False),
        json.dumps(good, ensure_ascii=False),  # duplicate id
        json.dumps({**good, "id": "X7", "valid_until": "2020-01-01"}, ensure_ascii=False),  # ends before issued
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(rows), encoding="utf-8")
    result = import_policies(path)
    assert [p.id for p in result.records] == ["PD01"]
    assert [e.row for e in result.errors] == [2, 3, 4, 5, 6, 7, 8]
    assert "地区代码" in result.errors[2].reason and "duplicate" in result.errors[5].reason


def test_yaml_import_numbers_bad_records_by_line(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text(
        "policies:\n"
        "  - {id: A1, title: 示例政策一, issuer: 山东省人社厅, text: 示例}\n"
        "  - id: A2\n"
        "    title: 示例政策二\n"
        "    issuer: 山东省人社厅\n"
        "    conditions: {applicant_kind: [公司]}\n",
        encoding="utf-8",
    )
    result = import_policies(path)
    assert [p.id for p in result.records] == ["A1"] and [e.row for e in result.errors] == [3]
    assert "applicant_kind" in result.errors[0].reason
    (tmp_path / "broken.yml").write_text("policies: [\n", encoding="utf-8")
    assert import_policies(tmp_path / "broken.yml").errors


def test_an_expired_policy_is_never_offered_as_current():
    policies = dev_policies()
    book = PolicyBook(policies)
    company = Profile(kind="企业", region="370102", certifications=["高新技术企业"], flags={"严重失信": False})
    on_time = {m.policy.id for m in book.match(company, dt.date(2025, 7, 1))}
    late = {m.policy.id for m in book.match(company, dt.date(2026, 6, 1))}
    assert "PD13" in on_time and "PD13" not in late  # valid until 2025-12-31
    assert all(p.in_force(dt.date(2026, 6, 1)) for p in book.current(dt.date(2026, 6, 1)))


def test_reasons_name_the_requirement_and_the_applicants_value():
    book = PolicyBook(dev_policies())
    company = Profile(kind="企业", region="370303", rd_ratio=2.1, revenue=1500, certifications=["高新技术企业"],
                      flags={"严重失信": False})
    pd18 = next(m for m in book.match(company, dt.date(2025, 7, 1)) if m.policy.id == "PD18")
    assert pd18.result == "not_eligible"
    assert [c.reason for c in pd18.unmet] == ["研发投入占比需≥3%，贵单位为2.1%"]
    assert any("淄博市" in c.reason and c.status == "met" for c in pd18.conditions)


def test_the_next_question_is_the_fact_that_decides_the_most_policies():
    book = PolicyBook(dev_policies())
    matches = book.match(Profile(kind="个人", region="370102"), dt.date(2025, 7, 1))
    facts = [f for f, _ in book.deciding_facts(matches)]
    assert facts[0] in {"age", "employment_status", "education", "graduated_year"}
    assert "revenue" not in facts  # enterprise facts decide nothing for a person


def test_normalise_reads_chinese_numerals_and_amounts():
    assert normalise("注册成立满三年，营业收入两千万元以上，研发占比百分之五") == "注册成立满3年，营业收入2000万元以上，研发占比5%"
    assert normalise("营业收入2000万元") == "营业收入2000万元"


def test_extraction_reads_other_wordings():
    text = (
        "一、申报主体\n在烟台市依法注册的小微企业。\n二、申报条件\n"
        "（一）成立不足两年；\n（二）职工总数超过三十人；\n（三）上年度销售收入不超过一点五亿元；\n"
        "（四）研发投入占营业收入比重达到百分之四；\n（五）无严重违法失信记录。\n三、支持标准\n奖励10万元，年龄60周岁以下。"
    )
    got = extract(text, "烟台市工业和信息化局").present()
    assert got == {
        "applicant_kind": ["企业"], "region": ["370600"], "enterprise_size": ["小型", "微型"],
        "established_years_max": 1, "employees_min": 31, "revenue_max": 15000, "rd_ratio_min": 4,
        "exclusions": ["严重失信"],
    }


def test_extraction_meets_the_target_on_the_dev_policies():
    total, _ = extraction_scores([(extract(p.text, p.issuer, p.title), p.conditions) for p in dev_policies()])
    assert total.f1 >= 0.92


@pytest.mark.parametrize("command,keys", [
    (["eval-extract", str(DEV / "policies_dev.jsonl")], {"precision", "recall", "f1"}),
    (["eval-match", str(DEV / "policies_dev.jsonl"), str(DEV / "profiles_dev.jsonl")],
     {"precision", "recall", "f1", "unknown_f1", "exact"}),
])
def test_eval_commands_end_with_json(command, keys):
    out = subprocess.run([sys.executable, "-m", "policies", *command], cwd=ROOT, capture_output=True, text=True, check=True)
    last = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(last) == keys and last["f1"] >= 0.92


def test_bad_files_get_a_clear_error(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "policies", "eval-extract", str(tmp_path / "none.jsonl")],
                             cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode != 0 and "文件不存在" in missing.stderr
    (tmp_path / "p.csv").write_text("x", encoding="utf-8")
    wrong = subprocess.run([sys.executable, "-m", "policies", "extract", str(tmp_path / "p.csv")],
                           cwd=ROOT, capture_output=True, text=True)
    assert wrong.returncode != 0 and "不支持" in wrong.stderr


def test_extract_writes_the_proposal_beside_the_policies(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text((DEV / "policies_dev.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "policies", "extract", str(path)], cwd=ROOT, check=True, capture_output=True)
    proposals = [json.loads(line) for line in (tmp_path / "mine.proposed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(proposals) == 30 and proposals[0]["proposed_conditions"]["region"] == ["370100"]


def test_audience_of_a_policy_is_every_eligible_profile():
    records = dev_profiles()
    book = PolicyBook(dev_policies())
    frame = ProfileFrame.from_profiles([Profile.model_validate(r["profile"]) for r in records], dt.date(2025, 7, 1))
    audience = book.audience("PD13", frame)
    assert sorted(records[j]["profile_id"] for j in audience) == sorted(
        r["profile_id"] for r in records if "PD13" in r["gold_eligible"])
    assert isinstance(audience, np.ndarray)


def test_answers_are_read_into_profile_facts():
    from catalogue.gazetteer import load_gazetteer
    from policies.answers import read_answer, read_mentions
    from settings import get_settings

    g = load_gazetteer(get_settings().gazetteer_path)
    today = dt.date(2026, 11, 29)
    assert read_answer("revenue", "大概1.2亿", g) == ("revenue", 12000.0)
    assert read_answer("revenue", "三千万元", g) == ("revenue", 3000.0)
    assert read_answer("employees", "八十人左右", g) == ("employees", 80)
    assert read_answer("established_date", "2019年5月成立的", g) == ("established_date", "2019-05-01")
    assert read_answer("region", "在青岛黄岛区", g) == ("region", "370211")
    assert read_answer("industry", "我们是做软件开发的，互联网", g) == ("industry", "I")
    assert read_answer("certifications", "没有", g) == ("certifications", [])
    assert read_answer("flags", "都没有", g) == ("flags", {"严重失信": False, "近三年重大安全事故": False, "欠缴税款": False})
    assert read_answer("employment_status", "还在找工作", g) == ("employment_status", [])
    assert read_answer("graduated_year", "今年刚毕业", g, today) == ("graduated_year", 2026)
    assert read_answer("age", "不知道", g) == ("skip", None)
    assert read_answer("size", "嗯", g) is None
    assert read_mentions("我刚毕业在济南找工作，有什么补贴", g, today) == {"kind": "个人", "region": "370100", "graduated_year": 2026}


@pytest.mark.parametrize(
    "said,matching",
    [
        ("我们公司能享受哪些政策", True),
        ("我刚毕业在济南找工作，有什么补贴", True),
        ("我是退役军人，能享受什么政策", True),
        ("我是省里引进的博士，听说有张人才卡能享受各种待遇，怎么申请", False),  # how to apply for one thing
        ("我们企业的稳岗补贴去哪里领", False),
        ("我能领哪些补贴，怎么领", True),  # which, then how: still about what the asker fits
        ("我失业了，有什么补贴吗，该怎么办", True),
        ("为什么我不符合", False),  # about the last matching
        ("小微企业贷款有什么贴息政策", False),  # no asker: a policy search
    ],
)
def test_the_policy_interview_starts_for_what_the_asker_fits_not_how_to_apply(said: str, matching: bool) -> None:
    from actions.policy_match import wants_matching

    assert wants_matching(said) is matching


@pytest.mark.parametrize(
    ("fact", "said", "back"),
    [
        ("flags", "什么算严重失信", True),  # its words name the fact, but it asks what it means
        ("certifications", "什么是高新技术企业？", True),
        ("certifications", "不知道什么是高新技术企业", False),  # skips the question
        ("established_date", "刚成立没多久", False),  # no answer, but no question either
        ("flags", "什么都没有", False),
        ("flags", "没什么失信记录", False),
        ("region", "济南？", False),  # a hesitant answer is an answer
        ("industry", "做软件的，算什么行业", False),
        ("region", "不怎么清楚", False),  # skips the question
    ],
)
def test_a_question_asked_back_in_the_interview_is_told_from_an_answer(fact: str, said: str, back: bool) -> None:
    from actions.policy_match import asks_back
    from catalogue.gazetteer import load_gazetteer
    from policies.answers import read_answer
    from settings import get_settings

    gazetteer = load_gazetteer(get_settings().gazetteer_path)
    assert asks_back(said, read_answer(fact, said, gazetteer)) is back
