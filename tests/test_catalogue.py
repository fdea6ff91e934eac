import json

from catalogue.importers import import_guangdong, import_items
from catalogue.store import load_catalogue
from settings import ROOT

GD_FILE = ROOT / "data" / "catalogues" / "guangdong" / "gd_service_items.jsonl"

GOOD = {
    "code": "A1", "name": "居住证签注", "department": "济南市公安局", "level": "市",
    "region_code": "370100", "region_name": "济南市", "targets": ["自然人"],
    "materials": ["居民身份证", "居住证"], "online": True,
}


def test_guangdong_export_imports_every_row_through_the_mapping():
    result = import_guangdong(GD_FILE)
    assert result.errors == []
    assert len(result.records) == 2262
    by_code = {item.code: item for item in result.records}
    item = by_code["11440000006939756B2440101007000"]
    assert item.name == "临时价格干预范围事项提价申报"
    assert item.department == "广东省发展和改革委员会"
    assert (item.level, item.region_code, item.region_name) == ("省", "440000", "广东省")
    assert item.statutory_limit == "30个工作日" and item.promised_limit == "7个工作日"
    assert item.location.startswith("广州市越秀区") and item.phone == "020-34121084"
    assert item.online and item.visits == 0 and item.materials == ["提价申报申请报告"]
    cities = [i for i in result.records if i.level == "市"]
    assert len(cities) == 238 and {i.region_code for i in cities} == {"440100"}
    assert {i.region_name for i in cities} == {"广州市"}


def test_bad_rows_are_reported_with_row_and_reason_and_the_rest_import(tmp_path):
    rows = [
        json.dumps(GOOD, ensure_ascii=False),
        "{not json",
        json.dumps({**GOOD, "code": "A2", "level": "国"}, ensure_ascii=False),
        json.dumps({**GOOD, "code": "A3", "name": ""}, ensure_ascii=False),
        json.dumps({**GOOD, "code": "A4", "targets": ["外星人"]}, ensure_ascii=False),
        json.dumps(GOOD, ensure_ascii=False),  # duplicate code
        "[1, 2]",
        json.dumps({**GOOD, "code": "A5", "region_code": "济南"}, ensure_ascii=False),
        json.dumps({**GOOD, "code": "A6"}, ensure_ascii=False),
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_items(path)
    assert [item.code for item in result.records] == ["A1", "A6"]
    reasons = {e.row: e.reason for e in result.errors}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert "malformed JSON" in reasons[2]
    assert reasons[3].startswith("level")
    assert reasons[4].startswith("name")
    assert "外星人" in reasons[5]
    assert "duplicate code A1" in reasons[6]
    assert "expected an object" in reasons[7]
    assert reasons[8].startswith("region_code")
    assert "row 2: malformed JSON" in result.summary("items")


def test_csv_and_json_in_the_product_model(tmp_path):
    csv_path = tmp_path / "items.csv"
    csv_path.write_text(
        "code,name,department,level,region_code,region_name,targets,materials,online,visits\n"
        "C1,社保卡补办,济南市人社局,市,370100,济南市,自然人,居民身份证；照片,是,0\n"
        "C2,,济南市人社局,市,370100,济南市,自然人,,否,x\n",
        encoding="utf-8",
    )
    result = import_items(csv_path)
    assert [i.code for i in result.records] == ["C1"]
    assert result.records[0].materials == ["居民身份证", "照片"] and result.records[0].online
    assert result.errors[0].row == 3
    json_path = tmp_path / "items.json"
    json_path.write_text(json.dumps([GOOD, {"code": "J2"}], ensure_ascii=False), encoding="utf-8")
    result = import_items(json_path)
    assert [i.code for i in result.records] == ["A1"] and result.errors[0].row == 2


def test_portal_catalogues_load(gd_settings, sd_settings):
    gd = load_catalogue(gd_settings)
    assert len(gd.items) == 2262 and gd.gazetteer.province.code == "440000"
    sd = load_catalogue(sd_settings)
    assert sd.gazetteer.province.code == "370000"
    assert len(sd.items) >= 80 and len(sd.themes) >= 5 and len(sd.policies) >= 10
    for theme in sd.themes.values():
        assert set(theme.item_codes) <= set(sd.items), theme.name


def test_shandong_labour_services_company_theme(sd_settings):
    sd = load_catalogue(sd_settings)
    theme = next(t for t in sd.themes.values() if t.name == "开办劳务公司")
    assert (theme.before.departments, theme.before.trips, theme.before.materials, theme.before.fields) == (5, 6, 27, 70)
    assert (theme.after.departments, theme.after.trips, theme.after.materials, theme.after.fields) == (1, 1, 10, 46)
    assert len(theme.materials) == 10
    departments = {sd.items[code].department for code in theme.item_codes}
    assert len(departments) >= 5


def test_implementations_of_one_service_ignore_how_a_unit_brackets_its_name(gd_settings):
    """Guangzhou's list writes "律师执业变更审核(（执业类别变更）)" for the province's
    "律师执业变更审核(执业类别变更)": one service, so one hit and one choice, not two."""
    by_code = {item.code: item for item in import_guangdong(GD_FILE).records}
    province, city = by_code["114400000069401674244010900200403"], by_code["11440100007483180K344010900200403"]
    assert province.name != city.name and province.service_key == city.service_key
    catalogue = load_catalogue(gd_settings)
    assert {i.code for i in catalogue.implementations(province)} == {province.code, city.code}
    other = by_code["114400000069401674244010900200405"]  # 执业类别变更并市内转所: another service
    assert other.service_key != province.service_key


def test_a_place_outside_the_province_is_named_but_a_street_after_one_is_not(gd_catalogue) -> None:
    gazetteer = gd_catalogue.gazetteer
    assert gazetteer.outside_place("那香港呢") == "香港"
    assert gazetteer.outside_place("北京市能办吗") == "北京市"  # the longest name
    assert gazetteer.outside_place("广州的北京路那个办事点在哪") is None
    assert gazetteer.outside_place("广州的呢") is None


def test_an_area_spanning_several_cities_is_named_and_its_alias_letter_is_no_province(gd_catalogue, sd_settings) -> None:
    area = gd_catalogue.gazetteer.area("那珠三角呢")
    assert area and area[0] == "珠三角" and "广州市" in [c.name for c in area[1]] and len(area[1]) == 9
    assert gd_catalogue.gazetteer.resolve("那粤东呢") is None and gd_catalogue.gazetteer.resolve("粤港澳") is not None
    sd = load_catalogue(sd_settings).gazetteer
    assert sd.area("鲁南的呢")[0] == "鲁南" and sd.resolve("鲁南的呢") is None
    assert sd.without_regions("青岛和鲁南的呢") == " 和鲁南的呢"


def test_a_government_app_named_after_the_province_is_no_place(gd_catalogue, sd_settings) -> None:
    """"用爱山东点一点就能申请吗" asks online; read as 山东省 it listed every city's unit."""
    sd = load_catalogue(sd_settings).gazetteer
    assert sd.resolve("俺上班走不开，用爱山东点一点就能申请吗") is None and sd.resolve("山东的呢").name == "山东省"
    assert sd.resolve("济南的爱山东能办吗").name == "济南市" and sd.resolve("我在山东通过了考试").name == "山东省"
    assert gd_catalogue.gazetteer.resolve("粤省事能办吗") is None and gd_catalogue.gazetteer.resolve("粤港澳") is not None


def test_a_region_is_read_in_the_way_that_covers_most_of_the_words(sd_settings, gd_settings) -> None:
    """"青岛市南区" is 青岛 + 市南区: read longest name first it was 青岛市 and a stray 南区."""
    sd = load_catalogue(sd_settings).gazetteer
    assert sd.resolve("想在青岛市南区开个小饭馆").name == "市南区"
    assert sd.without_regions("想在青岛市南区开个小饭馆") == "想在  开个小饭馆"
    assert sd.resolve("济南市中区的呢").code == "370103" and sd.resolve("青岛市的呢").name == "青岛市"
    assert [r.name for r in sd.find("济南市历下区")] == ["济南市", "历下区"]
    assert {r.name for r in sd.find("济南青岛两地")} == {"济南市", "青岛市"}
    # A full name is not cut for a short alias's sake, two names side by side are one place, and
    # on a tie the name that starts first is read.
    for said, region in [("青岛市北部", "青岛市"), ("东营市北一路", "东营市"), ("济宁市中区", "济宁市"),
                         ("山东营业执照怎么补领", "山东省"), ("临沂水费", "临沂市"), ("潍坊子女入学", "潍坊市")]:
        assert sd.resolve(said).name == region, said
    gd = load_catalogue(gd_settings).gazetteer
    for said, region in [("河源城区", "源城区"), ("广州白云安置房", "白云区"), ("湛江海关", "湛江市"), ("顺德庆典", "顺德区"), ("羊城区域", "广州市")]:
        assert gd.resolve(said).name == region, said
