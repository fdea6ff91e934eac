from hypothesis import given, strategies as st

from actions.forms.validators import VALIDATORS, a_date, amount, company_name, credit_code, id_number, mobile, person_name


def test_id_number_checks_checksum_and_birth_date():
    assert id_number(" 11010519491231002x ") == ("11010519491231002X", None)
    assert "校验位" in id_number("110105194912310021")[1]
    assert "出生日期" in id_number("110105194913310021")[1]  # month 13
    assert "18位" in id_number("11010519491231")[1]
    assert "晚于今天" in id_number("110105209901010011")[1]


def test_a_sentence_without_a_digit_where_a_number_is_asked_is_said_to_be_something_else():
    for check in (id_number, mobile, credit_code):
        value, problem = check("他那个房东死活不给开租房证明，真愁人")
        assert value is None and "这句话里没有" in problem and "12345" in problem
    assert "18位" in id_number("身份证号码是11010519")[1]  # (a number typed wrong is still said to be wrong)
    assert "18位" in id_number("不知道")[1]  # (too short to be a sentence of its own)
    assert "11位" in mobile("幺三八一二三四五六七八九")[1]  # (a number in words, as voice input writes it)
    assert "11位" in mobile("手机号跟刚才那个一样")[1]  # (words about the number asked)


def test_credit_code_checks_gb32100():
    assert credit_code("91110000600037341L") == ("91110000600037341L", None)
    assert "校验" in credit_code("91110000600037341A")[1]
    assert "18位" in credit_code("9111000060003734")[1]


def test_mobile_date_amount_name():
    assert mobile("138 1234 5678") == ("13812345678", None)
    assert mobile("+8613812345678")[0] == "13812345678"
    assert "11位" in mobile("12812345678")[1]
    assert a_date("2025年1月31日") == ("2025-01-31", None)
    assert a_date("2025-02-30")[0] is None
    assert amount("50万") == ("500000", None) and amount("五十万元") == ("500000", None)
    assert amount("-5")[0] is None and amount("很多钱")[0] is None
    assert person_name("张三") == ("张三", None) and person_name("买买提·艾力")[0]
    assert person_name("Zhang San")[0] is None and person_name("张")[0] is None


def test_company_name_check():
    assert company_name("济南顺通劳务服务有限公司") == ("济南顺通劳务服务有限公司", None)
    assert company_name("山东某某(集团)股份有限公司")[0] == "山东某某（集团）股份有限公司"
    assert "组织形式" in company_name("济南顺通劳务服务部")[1]
    assert "汉字" in company_name("ABC Labour Ltd")[1] and "汉字" in company_name("有限公司")[1]


@given(st.text(max_size=300))
def test_no_validator_raises_on_any_text(text):
    for validate in VALIDATORS.values():
        value, message = validate(text)
        assert (value is None) != (message is None)
        assert message is None or any("\u4e00" <= ch <= "\u9fff" for ch in message)
