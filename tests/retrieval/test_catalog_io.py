"""Reading foreign catalogs: CSV/JSON/JSONL records, row errors with locations, YAML field mappings, real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.errors import UserError
from retrieval.catalog_io import CatalogLoad, load_catalog, read_records
from retrieval.mapping import CatalogMapping, load_mapping
from retrieval.transforms import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "data" / "mappings"
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: SHOPASSIST tests need ../shared/data (third-party catalogs) beside the checkout")
    return path


def product(pid: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": pid, "title": f"Trail Lamp {pid}", "brand": "Glowix", "category": "Home > Lighting",
                           "price": 12.5, "attributes": {"color": "Black"}, "stock": 3}
    return row | overrides


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def reasons(load: CatalogLoad) -> dict[str, str]:
    return {e.location: e.reason for e in load.errors if e.severity == "error"}


# Reading records ------------------------------------------------------------------------------------
CSV_WITH_MULTILINE = (
    "id,title,category,price,description\n"            # line 1
    'A1,Lamp,Home > Lighting,10,"one line"\n'          # line 2
    'A2,Desk Lamp,Home > Lighting,12,"first line\n'    # line 3
    "second line\n"                                    # line 4
    'third line"\n'                                    # line 5
    "\n"                                               # line 6 (blank)
    "A3,Broken Lamp,Home > Lighting,-4,\n"             # line 7
    'A4,Floor Lamp,Home > Lighting,"$1,299.00",ok\n'   # line 8 (a price the native format cannot read)
)


def test_csv_locations_are_physical_start_lines_despite_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text(CSV_WITH_MULTILINE, encoding="utf-8")
    records = list(read_records(path))
    assert [r.location for r in records] == ["products.csv:2", "products.csv:3", "products.csv:7", "products.csv:8"]
    assert records[1].data["description"] == "first line\nsecond line\nthird line"

    load = load_catalog([path])
    assert sorted(p.id for p in load.products) == ["A1", "A2"]
    errors = reasons(load)
    assert errors["products.csv:7"] == "price: Input should be greater than or equal to 0"
    assert errors["products.csv:8"].startswith("price:")


def test_csv_row_with_too_many_fields_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,title,category,price\nA,Lamp,Home,3\nB,Lamp,Home,3,extra\n", encoding="utf-8-sig")
    load = load_catalog([path])
    assert [p.id for p in load.products] == ["A"]
    assert "5 fields but the header has 4" in reasons(load)["p.csv:3"]


def test_json_array_locations_are_indexes(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(json.dumps([product("J0"), product("J1", price=-1), 7, product("J3")]), encoding="utf-8")
    load = load_catalog([path])
    assert [p.id for p in load.products] == ["J0", "J3"]
    assert reasons(load) == {"products.json[1]": "price: Input should be greater than or equal to 0",
                             "products.json[2]": "expected an object, got int"}


def test_json_object_holding_one_list_or_records_key(tmp_path: Path) -> None:
    wrapped = tmp_path / "api.json"
    wrapped.write_text(json.dumps({"products": [product("W1")], "total": 1}), encoding="utf-8")
    assert [p.id for p in load_catalog([wrapped]).products] == ["W1"]

    nested = tmp_path / "nested.json"
    document = {"tags": ["x"], "links": [], "b": {"items": [{"sku": "N1", "name": "Mat", "cost": "4"}]}}
    nested.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(UserError, match="several lists"):
        list(read_records(nested))
    mapping = CatalogMapping.model_validate(
        {"records_key": "b.items", "fields": {"id": "sku", "title": "name", "category": {"const": "Yoga"}, "price": "cost"}})
    assert [p.id for p in load_catalog([nested], mapping).products] == ["N1"]


def test_jsonl_bad_rows_are_reported_and_good_rows_load(tmp_path: Path) -> None:
    rows: list[object] = [product("G1"), product("B1", price=-5), "{not json", product("G2"), "",
                          {k: v for k, v in product("B2").items() if k != "title"}, product("G3"), "[1, 2]"]
    load = load_catalog([write_jsonl(tmp_path / "mixed.jsonl", rows)])
    assert [p.id for p in load.products] == ["G1", "G2", "G3"]
    errors = reasons(load)
    assert set(errors) == {"mixed.jsonl:2", "mixed.jsonl:3", "mixed.jsonl:6", "mixed.jsonl:8"}
    assert errors["mixed.jsonl:2"] == "price: Input should be greater than or equal to 0"
    assert errors["mixed.jsonl:3"].startswith("not valid JSON")
    assert errors["mixed.jsonl:6"] == "title: Field required"
    assert load.invalid_rows == 4
    load.raise_if_empty()  # some rows are valid: no error


def test_duplicate_ids_last_wins_with_a_warning(tmp_path: Path) -> None:
    load = load_catalog([write_jsonl(tmp_path / "d.jsonl", [product("D1", price=1), product("D2"), product("D1", price=2)])])
    assert {p.id: p.price for p in load.products} == {"D1": 2, "D2": 12.5}
    assert load.invalid_rows == 0
    [warning] = load.warnings
    assert warning.location == "d.jsonl:3" and "duplicate id 'D1'" in warning.reason and "d.jsonl:1" in warning.reason


def test_nothing_valid_raises_a_helpful_user_error(tmp_path: Path) -> None:
    load = load_catalog([write_jsonl(tmp_path / "bad.jsonl", ["nope", {"sku": "x", "name": "Lamp"}])])
    assert not load.products
    with pytest.raises(UserError, match=r"(?s)No valid product in bad\.jsonl.*bad\.jsonl:2: unknown fields sku, name.*--mapping"):
        load.raise_if_empty()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(UserError, match="empty"):
        load_catalog([empty]).raise_if_empty()


def test_unreadable_files_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        list(read_records(tmp_path / "missing.csv"))
    with pytest.raises(UserError, match="unsupported extension"):
        list(read_records(tmp_path / "catalog.xlsx"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"products": [', encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        list(read_records(broken))


# Mapping language -----------------------------------------------------------------------------------
def test_mapping_typo_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("fields:\n  id: sku\n  titel: name\n  category: {const: Yoga}\n  price: {source: p, transfroms: [number]}\n")
    with pytest.raises(UserError) as info:
        load_mapping(path)
    message = str(info.value)
    assert "fields.titel: unknown key (did you mean 'title'?)" in message
    assert "fields.price.transfroms: unknown key" in message


def test_mapping_rejects_unknown_transforms_and_bad_arguments(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("fields:\n  id: sku\n  title: name\n  category: {source: c, transforms: [strp_html]}\n"
                    "  price: {source: p, transforms: [{split: [1]}]}\n")
    expected = r"(?s)unknown transform 'strp_html' \(did you mean 'strip_html'\?\).*'split', argument 'sep'"
    with pytest.raises(UserError, match=expected):
        load_mapping(path)


def test_transforms_read_messy_values() -> None:
    number = REGISTRY["number"]
    assert [number(v) for v in ("$1,299.00", "1.299,00 €", "12,5", 7, "-3")] == [1299.0, 1299.0, 12.5, 7.0, -3.0]
    with pytest.raises(ValueError, match="as a number"):
        number("call us")
    assert REGISTRY["strip_html"]("<p>Warm &amp; dry.</p><ul><li>Hood</li></ul>") == "Warm & dry.\nHood"
    path = REGISTRY["category_path"](
        "Default Category/Collections/Eco,Default Category/Men/Tops/Tees,Default Category",
        path_sep="/", list_sep=",", pick="deepest", strip_prefix=["Default Category"], skip_roots=["Collections"],
    )
    assert path == ["Men", "Tops", "Tees"]
    assert REGISTRY["map"]("sports-accessories", values={"tops": "Women > Tops"}, fallback="title_case") == "Sports Accessories"
    assert REGISTRY["url_prefix"]("/m/h/x.jpg", base="https://shop.example/media") == "https://shop.example/media/m/h/x.jpg"
    assert REGISTRY["length"](None) == 0 and REGISTRY["first"](["", "b"]) == "b"


def test_mapped_rows_with_unreadable_values_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("sku,name,cat,cost,kind\nS1,Mat,Yoga,$9.99,simple\nS2,Block,Yoga,ask us,simple\nS3,Kit,Yoga,5,bundle\n")
    mapping = CatalogMapping.model_validate({
        "id_prefix": "x-", "filters": [{"source": "kind", "in": ["simple"]}],
        "fields": {"id": "sku", "title": "name", "category": "cat", "price": {"source": "cost", "transforms": ["number"]},
                   "brand": {"source": "maker", "default": "Acme"}}})
    load = load_catalog([path], mapping)
    assert [(p.id, p.price, p.brand) for p in load.products] == [("x-S1", 9.99, "Acme")]
    assert reasons(load) == {"shop.csv:3": "price: cannot read 'ask us' as a number"}
    assert load.skipped == 1
    assert any(w.location == "shop.csv" and "fields.brand: no column 'maker'" in w.reason for w in load.warnings)


VARIANT_CSV = (
    "sku,type,name,cat,price,qty,in_stock,variations,extra\n"
    "P1,configurable,Hoodie,Men/Tops,50,0,1,\"sku=P1-S,size=S,color=Red|sku=P1-M,size=M,color=Red|sku=P1-L,size=L,color=Blue\","
    "\"material=Wool|Fleece,sale=No,style=&frac14; zip\"\n"
    "P1-S,simple,Hoodie-S,,50,4,1,,\n"
    "P1-M,simple,Hoodie-M,,55,9,0,,\n"
    "Z9,simple,Sticker,Gifts,2,7,1,,\n"
)


def test_variants_are_joined_from_child_rows_which_are_not_products(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(VARIANT_CSV, encoding="utf-8")
    mapping = CatalogMapping.model_validate({
        "fields": {"id": "sku", "title": "name", "price": {"source": "price", "transforms": ["number"]},
                   "category": {"source": "cat", "transforms": [{"category_path": {"path_sep": "/"}}]}},
        "packed_attributes": [{"source": "extra", "exclude": ["sale"], "transforms": ["html_unescape"]}],
        "variants": {"source": "variations", "join_on": "sku", "attributes": ["size", "color"],
                     "price": {"source": "price", "transforms": ["number"]}, "stock": {"source": "qty", "transforms": ["int"]},
                     "in_stock": "in_stock"}})  # no filters: the join alone keeps child rows out
    load = load_catalog([path], mapping)
    assert sorted(p.id for p in load.products) == ["P1", "Z9"] and load.skipped == 2 and load.invalid_rows == 0
    hoodie = next(p for p in load.products if p.id == "P1")
    assert [(v.sku, v.attributes, v.price, v.stock) for v in hoodie.variants] == [
        ("P1-S", {"size": "S", "color": "Red"}, 50, 4),
        ("P1-M", {"size": "M", "color": "Red"}, 55, 0),  # in_stock 0 wins over qty 9
        ("P1-L", {"size": "L", "color": "Blue"}, None, 0),  # no child row: kept, with a warning
    ]
    assert hoodie.stock == 4 and hoodie.values("color") == ["Red", "Blue"]
    assert hoodie.attributes["material"] == ["Wool", "Fleece"] and hoodie.values("style") == ["¼ zip"]
    assert not hoodie.values("sale")
    assert [w.location for w in load.warnings] == ["m.csv:2"] and "P1-L" in load.warnings[0].reason


def test_variants_from_a_json_list_and_price_from_the_cheapest(tmp_path: Path) -> None:
    path = tmp_path / "shop.json"
    path.write_text(json.dumps({"items": [{"handle": "tee", "title": "Tee", "type": "Shirts", "variants": [
        {"sku": "tee-1", "option1": "S", "price": "19.00", "inventory": 3},
        {"sku": "tee-2", "option1": "M", "price": "17.50", "inventory": 0}]}]}), encoding="utf-8")
    mapping = CatalogMapping.model_validate({
        "id_prefix": "s-",
        "fields": {"id": "handle", "title": "title", "category": "type", "price": {"source": "price", "transforms": ["number"]}},
        "variants": {"source": "variants", "attributes": {"size": "option1"},
                     "price": {"source": "price", "transforms": ["number"]}, "stock": "inventory"},
        "reviews": {"path": "absent.csv", "key": "sku", "rating_column": "stars", "required": False}})
    load = load_catalog([path], mapping)
    [tee] = load.products
    assert tee.id == "s-tee" and tee.price == 17.5 and tee.stock == 3 and tee.values("size") == ["S", "M"]
    assert [v.sku for v in tee.variants] == ["s-tee-1", "s-tee-2"]
    assert any("absent.csv" in w.reason for w in load.warnings)


# Real third-party catalogs (read from ../shared/data, never copied) ---------------------------------
def test_dummyjson_catalog() -> None:
    source = shared("dummyjson", "products.json")
    raw = {str(r["id"]): r for r in json.loads(source.read_text(encoding="utf-8"))}
    load = load_catalog([source], load_mapping(MAPPINGS / "dummyjson.yml"))
    assert len(load.products) == 194 and not load.errors
    by_id = {p.id.removeprefix("dj-"): p for p in load.products}
    assert {pid for pid, p in by_id.items() if p.brand} == {pid for pid, r in raw.items() if r.get("brand")}
    assert by_id["1"].brand == "Essence"
    kitchen = [p for pid, p in by_id.items() if raw[pid]["category"] == "kitchen-accessories"]
    assert len(kitchen) == 30 and all(p.category == ["Kitchen", "Kitchen Accessories"] for p in kitchen)
    assert len({tuple(p.category) for p in load.products}) == 24
    for pid, p in by_id.items():
        assert p.rating == raw[pid]["rating"] and p.stock == raw[pid]["stock"]
        assert p.review_count == len(raw[pid]["reviews"]) and p.price == raw[pid]["price"]
        assert p.image_url and p.image_url.startswith("https://cdn.dummyjson.com/")
    assert by_id["1"].values("tags") == ["beauty", "mascara"]


def test_magento_configurable_products_become_parents_with_variants() -> None:
    source = shared("magento-luma", "configurable_products.csv")
    load = load_catalog([source], load_mapping(MAPPINGS / "magento_luma.yml"))
    assert len(load.products) == 147 and load.invalid_rows == 0 and not load.warnings
    assert load.skipped == 1847
    variant_skus = {v.sku for p in load.products for v in p.variants}
    assert len(variant_skus) == 1847
    assert not variant_skus & {p.id for p in load.products}
    for p in load.products:
        assert p.variants and all(v.attributes.get("size") and v.attributes.get("color") for v in p.variants)
        assert p.stock == sum(v.stock for v in p.variants) > 0
        assert p.brand == "Luma" and p.category[0] in {"Men", "Women"} and p.values("gender") == [p.category[0]]
        assert "<" not in p.description
    hoodie = next(p for p in load.products if p.id == "MH01")
    assert hoodie.title == "Chaz Kangeroo Hoodie" and hoodie.category == ["Men", "Tops", "Hoodies & Sweatshirts"]
    assert len(hoodie.variants) == 15 and hoodie.stock == 1500 and hoodie.price == 52
    assert set(hoodie.values("size")) == {"XS", "S", "M", "L", "XL"} and hoodie.values("material") == ["Wool"]
    assert hoodie.image_url == "/media/catalog/product/m/h/mh01-gray_main.jpg"
    assert any("CoolTech™" in m for p in load.products for m in p.values("material"))
    rated = [p for p in load.products if p.rating is not None]
    assert rated and all(p.review_count > 0 and 1 <= (p.rating or 0) <= 5 for p in rated)


def test_magento_gear_csvs() -> None:
    folder = shared("magento-luma")
    load = load_catalog(sorted(folder.glob("products_gear_*.csv")), load_mapping(MAPPINGS / "magento_luma_gear.yml"))
    assert len(load.products) == 44 and not load.errors
    assert {tuple(p.category) for p in load.products} == {("Gear", "Bags"), ("Gear", "Fitness Equipment"), ("Gear", "Watches")}
    bag = next(p for p in load.products if p.id == "24-MB01")
    assert bag.title == "Joust Duffle Bag" and bag.price == 34 and bag.stock == 100 and bag.brand == "Luma"
    assert bag.values("material") == ["Nylon", "Polyester"] and "Gym" in bag.values("activity")
    assert all(p.title == p.title.strip() and "<" not in p.description for p in load.products)
    assert any(p.values("gender") for p in load.products) and any(p.rating for p in load.products)
