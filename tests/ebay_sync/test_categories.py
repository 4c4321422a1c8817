"""Category tree import decisions (plain pytest: ``-p no:odoo``)."""
import json

from ebay_api.mappers import map_category_tree
from sync_core.categories import (
    CategoryRow,
    aspect_summary,
    category_rows,
    plan_categories,
    product_category_change,
    tree_is_current,
)


def node(category_id, name, level, children=()):
    out = {"category": {"categoryId": category_id, "categoryName": name}, "categoryTreeNodeLevel": level}
    if children:
        out["childCategoryTreeNodes"] = list(children)
    else:
        out["leafCategoryTreeNode"] = True
    return out


TREE = {"categoryTreeId": "0", "categoryTreeVersion": "130", "rootCategoryNode": {
    "category": {"categoryId": "0", "categoryName": "Root"}, "categoryTreeNodeLevel": 0,
    "childCategoryTreeNodes": [
        node("1", "Collectibles", 1, [node("11", "Cards", 2, [node("111", "Baseball", 3)]), node("12", "Coins", 2)]),
        node("2", "Art", 1),
    ]}}


def rows():
    return category_rows(map_category_tree(TREE))


def stored_of(rows_):
    return {row.category_id: dict(row.values(), id=index, active=True) for index, row in enumerate(rows_, 1)}


def test_rows_carry_parents_levels_leaves_and_full_paths():
    by_id = {row.category_id: row for row in rows()}
    assert by_id["111"] == CategoryRow("111", "Baseball", "11", 3, True, "Collectibles > Cards > Baseball")
    assert by_id["1"].parent_id is None and not by_id["1"].leaf
    assert by_id["2"].leaf and by_id["2"].full_path == "Art"
    order = [row.category_id for row in rows()]
    assert order.index("1") < order.index("11") < order.index("111")


def test_first_import_creates_level_batches_parents_first():
    plan = plan_categories(rows(), {}, batch_size=2)
    levels = [{row.level for row in batch} for batch in plan.create]
    assert levels == [{1}, {2}, {3}]
    assert [len(batch) for batch in plan.create] == [2, 2, 1]
    assert not plan.update and not plan.archive


def test_unchanged_tree_plans_nothing():
    plan = plan_categories(rows(), stored_of(rows()))
    assert not plan.changed
    assert plan.unchanged == 5


def test_changed_tree_updates_only_changed_values_and_archives_removed():
    stored = stored_of(rows())
    stored["12"]["name"] = "Old Coins"
    stored["12"]["full_path"] = "Collectibles > Old Coins"
    stored["111"]["parent_id"] = "12"
    stored["999"] = {"id": 99, "name": "Gone", "parent_id": None, "level": 1, "leaf": True, "full_path": "Gone",
                     "active": True}
    stored["2"]["active"] = False
    plan = plan_categories(rows(), stored)
    assert plan.update == {"12": {"name": "Coins", "full_path": "Collectibles > Coins"},
                           "111": {"parent_id": "11"}, "2": {"active": True}}
    assert plan.archive == ["999"]
    assert plan.unchanged == 2 and not plan.create


def test_already_archived_category_is_not_archived_again():
    stored = stored_of(rows())
    stored["999"] = {"id": 99, "name": "Gone", "active": False}
    assert plan_categories(rows(), stored).archive == []


def test_tree_is_current_compares_id_and_version_unless_forced():
    assert tree_is_current(("0", "130"), ("0", "130"))
    assert not tree_is_current(("0", "130"), ("0", "130"), force=True)
    assert not tree_is_current(("0", "131"), ("0", "130"))
    assert not tree_is_current(("3", "130"), ("0", "130"))
    assert not tree_is_current(("0", "130"), (False, False))


def test_product_category_change():
    new = {"name": "Cards", "parent_product_category_id": 7}
    assert product_category_change(new) == ("create", {"name": "Cards", "parent_id": 7})
    same = dict(new, product_category_id=3, product_name="Cards", product_parent_id=7)
    assert product_category_change(same) is None
    moved = dict(same, product_parent_id=None, product_name="Card")
    assert product_category_change(moved) == ("write", {"name": "Cards", "parent_id": 7})


def test_aspect_summary_lists_required_and_recommended():
    aspects = {"aspects": [
        {"localizedAspectName": "Brand", "aspectConstraint": {"aspectRequired": True, "aspectMode": "FREE_TEXT",
                                                              "aspectUsage": "RECOMMENDED"},
         "aspectValues": [{"localizedValue": v} for v in ("A", "B", "C", "D", "E", "F")]},
        {"localizedAspectName": "Color", "aspectConstraint": {"aspectRequired": False, "aspectUsage": "RECOMMENDED",
                                                              "aspectMode": "SELECTION_ONLY",
                                                              "itemToAspectCardinality": "MULTI"}},
        {"localizedAspectName": "Extra", "aspectConstraint": {"aspectRequired": False, "aspectUsage": "OPTIONAL"}},
    ]}
    required, recommended = aspect_summary(json.dumps(aspects))
    assert required == "Brand (free text; e.g. A, B, C, D, E, ...)"
    assert recommended == "Color (pick from list; several values)"
    assert aspect_summary(False) == ("", "")
