from catalogue.gazetteer import load_gazetteer
from settings import ROOT

SHANDONG = ROOT / "data" / "gazetteer" / "shandong.json"
GUANGDONG = ROOT / "data" / "gazetteer" / "guangdong.json"


def test_shandong_has_its_16_cities_and_their_counties():
    gazetteer = load_gazetteer(SHANDONG)
    cities = [r for r in gazetteer.regions.values() if r.level == "市"]
    counties = [r for r in gazetteer.regions.values() if r.level == "县"]
    assert len(cities) == 16 and len(counties) == 136
    assert all(gazetteer.get(r.parent) is not None for r in cities + counties)


def test_aliases_and_mentions_resolve():
    gazetteer = load_gazetteer(SHANDONG)
    assert gazetteer.resolve("在青岛怎么办").code == "370200"
    assert gazetteer.resolve("泉城的居住证怎么办").code == "370100"
    assert gazetteer.resolve("岛城办社保卡").code == "370200"
    assert gazetteer.resolve("济南市历下区营业执照").code == "370102"
    assert gazetteer.resolve("怎么办营业执照") is None


def test_chain_goes_county_city_province_and_handles_town_codes():
    gazetteer = load_gazetteer(SHANDONG)
    assert [r.code for r in gazetteer.chain("370102")] == ["370102", "370100", "370000"]
    assert [r.code for r in gazetteer.chain("370102001")] == ["370102", "370100", "370000"]
    assert gazetteer.chain("999999") == []
    assert gazetteer.chain_codes("370102001002") == ["370102001002", "370102001", "370102", "370100", "370000"]


def test_guangdong_cities():
    gazetteer = load_gazetteer(GUANGDONG)
    assert len([r for r in gazetteer.regions.values() if r.level == "市"]) == 21
    assert gazetteer.resolve("在羊城办居留证").code == "440100"
    assert gazetteer.resolve("深圳南山区").code == "440305"
