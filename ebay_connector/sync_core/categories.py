"""Category tree import decisions: eBay tree -> rows, rows vs. stored rows -> the writes to make.

The importer reads what is stored with one SQL query and hands it here as plain dicts, so that
an unchanged tree of 20 000 nodes costs no ORM write at all, and a changed one writes only the
nodes that changed. Parents are always created before their children.
"""
import json
from dataclasses import dataclass, field

PATH_SEPARATOR = " > "
# Values compared between eBay and Odoo; ``parent_id`` is eBay's parent category id here.
COMPARED = ("name", "parent_id", "level", "leaf", "full_path")


@dataclass(frozen=True)
class CategoryRow:
    category_id: str
    name: str
    parent_id: str | None
    level: int
    leaf: bool
    full_path: str

    def values(self):
        return {"name": self.name, "parent_id": self.parent_id, "level": self.level, "leaf": self.leaf,
                "full_path": self.full_path}


@dataclass
class CategoryPlan:
    """What the import must do. ``create`` is grouped in batches of one level each (parents first);
    ``update`` maps a category id to the changed values only; ``archive`` lists category ids."""
    create: list = field(default_factory=list)
    update: dict = field(default_factory=dict)
    archive: list = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self):
        return bool(self.create or self.update or self.archive)


def category_rows(categories):
    """Rows with their full path ("A > B > C") from mapped categories given parents first
    (``mappers.map_category_tree``: objects with category_id, name, parent_id, level, leaf)."""
    paths = {}
    rows = []
    for category in categories:
        parent_path = paths.get(category.parent_id)
        path = parent_path + PATH_SEPARATOR + category.name if parent_path else category.name
        paths[category.category_id] = path
        rows.append(CategoryRow(category.category_id, category.name, category.parent_id, category.level,
                                category.leaf, path))
    return rows


def _diff(row, stored):
    """Changed values of one stored category (a dict with the COMPARED keys and ``active``)."""
    wanted = row.values()
    changes = {name: wanted[name] for name in COMPARED if stored.get(name) != wanted[name]}
    if not stored.get("active", True):
        changes["active"] = True
    return changes


def plan_categories(rows, stored, batch_size=1000):
    """Compare eBay's rows with the stored ones (category id -> dict) and return a CategoryPlan.

    New categories come in batches holding a single level, lowest level first, so every parent
    exists (created earlier or already stored) when its children are created."""
    plan = CategoryPlan()
    by_level = {}
    for row in rows:
        if row.category_id not in stored:
            by_level.setdefault(row.level, []).append(row)
            continue
        changes = _diff(row, stored[row.category_id])
        if changes:
            plan.update[row.category_id] = changes
        else:
            plan.unchanged += 1
    for level in sorted(by_level):
        new = by_level[level]
        plan.create.extend(new[start:start + batch_size] for start in range(0, len(new), batch_size))
    seen = {row.category_id for row in rows}
    plan.archive = sorted(cid for cid, values in stored.items() if cid not in seen and values.get("active", True))
    return plan


def tree_is_current(remote, stored, force=False):
    """The stored tree needs no import when eBay's (tree id, version) pair is the one imported last,
    unless the job's payload forces it."""
    return not force and bool(remote[1]) and tuple(map(str, remote)) == tuple(str(v or "") for v in stored)


def product_category_change(row):
    """How the product category mirroring one eBay category must change: ``("create", values)``,
    ``("write", values)`` or None. ``row`` holds the category's ``name``, ``parent_product_category_id``
    (its parent's mirror, None at the top) and, once mirrored, ``product_category_id``,
    ``product_name`` and ``product_parent_id``."""
    wanted = {"name": row["name"], "parent_id": row["parent_product_category_id"] or False}
    if not row.get("product_category_id"):
        return "create", wanted
    current = {"name": row.get("product_name"), "parent_id": row.get("product_parent_id") or False}
    changes = {key: value for key, value in wanted.items() if current[key] != value}
    return ("write", changes) if changes else None


# ---------------------------------------------------------------- item aspects


def _aspect_line(aspect):
    constraint = aspect.get("aspectConstraint") or {}
    values = [value.get("localizedValue") for value in aspect.get("aspectValues") or []]
    details = ["pick from list" if constraint.get("aspectMode") == "SELECTION_ONLY" else "free text"]
    if constraint.get("itemToAspectCardinality") == "MULTI":
        details.append("several values")
    if values:
        shown = ", ".join(values[:5]) + (", ..." if len(values) > 5 else "")
        details.append("e.g. " + shown)
    return "%s (%s)" % (aspect.get("localizedAspectName"), "; ".join(details))


def aspect_summary(aspects_json):
    """(required, recommended) readable lines of a getItemAspectsForCategory answer stored as JSON.

    Required: ``aspectRequired``; recommended: the others eBay marks ``aspectUsage`` RECOMMENDED."""
    if not aspects_json:
        return "", ""
    aspects = json.loads(aspects_json).get("aspects") or []
    required = [_aspect_line(a) for a in aspects if (a.get("aspectConstraint") or {}).get("aspectRequired")]
    recommended = [_aspect_line(a) for a in aspects
                   if not (a.get("aspectConstraint") or {}).get("aspectRequired")
                   and (a.get("aspectConstraint") or {}).get("aspectUsage") == "RECOMMENDED"]
    return "\n".join(required), "\n".join(recommended)
