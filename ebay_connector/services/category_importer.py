from odoo import _

from odoo.addons.marketplace_base.marketplace_core.batching import chunked

from ..ebay_api.mappers import map_category_tree
from ..ebay_api.taxonomy import TaxonomyAdapter
from ..sync_core.categories import category_rows, plan_categories, product_category_change, tree_is_current
from .base import EbayJobService

STORED_SQL = """
    SELECT c.id, c.category_id, c.name, p.category_id AS parent_id, c.level, c.leaf, c.full_path, c.active
      FROM ebay_category c
 LEFT JOIN ebay_category p ON p.id = c.parent_id
     WHERE c.tree_id = %s
"""
MIRROR_SQL = """
    SELECT c.id, c.name, c.product_category_id, pc.name AS product_name, pc.parent_id AS product_parent_id,
           p.product_category_id AS parent_product_category_id
      FROM ebay_category c
 LEFT JOIN ebay_category p ON p.id = c.parent_id
 LEFT JOIN product_category pc ON pc.id = c.product_category_id
     WHERE c.tree_id = %s AND c.active AND c.level = %s
  ORDER BY c.id
"""


class CategoryImporter(EbayJobService):
    """eBay category tree -> ``ebay.category``: only what changed is written, in batches that never
    keep the whole tree (about 20 000 records on EBAY_US) in the ORM cache.

    Each batch is committed; when the slice's time is up after one, the job pauses and its next slice
    reads the tree again and plans what is still missing (one call), so no continuation is needed and
    nothing is written twice. The account's tree version is written last, after the whole tree."""

    BATCH_SIZE = 1000

    def execute(self):
        taxonomy = TaxonomyAdapter(self.client)
        head = taxonomy.get_default_category_tree_id(self.account.ebay_marketplace_id or "EBAY_US")
        remote = (str(head["categoryTreeId"]), str(head["categoryTreeVersion"]))
        stored_head = (self.account.ebay_category_tree_id, self.account.ebay_category_tree_version)
        if tree_is_current(remote, stored_head, force=bool(self.run.payload.get("force"))):
            self.run.log(_("Category tree %(tree)s version %(version)s unchanged: nothing to import.",
                               tree=remote[0], version=remote[1]))
        else:
            self._import_tree(taxonomy, *remote)
        if self.account.ebay_sync_product_categories:
            self._mirror_product_categories(remote[0])

    def _import_tree(self, taxonomy, tree_id, version):
        rows = category_rows(map_category_tree(taxonomy.get_category_tree(tree_id)))
        stored = self._stored(tree_id)
        plan = plan_categories(rows, stored, self.BATCH_SIZE)
        if self.run.continuation.get("resumed"):  # earlier slices counted what they stored
            self.run.progress(total=len(rows))
        else:
            self.run.progress(total=len(rows), fetched=len(rows), stored=plan.unchanged)
        self.run.log(_("Tree %(tree)s version %(version)s: %(rows)s categories, %(new)s new, %(changed)s changed, "
                           "%(gone)s removed, %(same)s unchanged.", tree=tree_id, version=version, rows=len(rows),
                           new=sum(map(len, plan.create)), changed=len(plan.update), gone=len(plan.archive),
                           same=plan.unchanged))
        ids = {category_id: values["id"] for category_id, values in stored.items()}
        del stored
        self._create(plan.create, ids, tree_id)
        self._update(plan.update, ids)
        self._archive(plan.archive, ids)
        self.account.write({"ebay_category_tree_id": tree_id, "ebay_category_tree_version": version})

    def _stored(self, tree_id):
        """Every stored category of the tree, by eBay id, read with one query (no ORM records)."""
        self.env["ebay.category"].flush_model()
        self.env.cr.execute(STORED_SQL, [tree_id])
        return {row["category_id"]: row for row in self.env.cr.dictfetchall()}

    def _end_batch(self, message, done):
        """Make a batch durable, drop it from the ORM cache, report it, honour Stop and the slice's time."""
        self.run.progress(stored=done)
        self.run.checkpoint()
        self.env.invalidate_all()
        self.run.log(message)
        self.run.check_cancelled()
        self._pause_if_time_is_up()

    def _pause_if_time_is_up(self):
        if self.run.time_is_up():
            self.run.pause(0, {"resumed": True})

    def _create(self, batches, ids, tree_id):
        """New categories, one level per batch: every parent has its id before its children."""
        for number, batch in enumerate(batches, 1):
            records = self.env["ebay.category"].create([
                {"tree_id": tree_id, "category_id": row.category_id, "name": row.name,
                 "parent_id": ids.get(row.parent_id, False), "level": row.level, "leaf": row.leaf,
                 "full_path": row.full_path}
                for row in batch])
            ids.update(zip((row.category_id for row in batch), records.ids, strict=True))
            self._end_batch(_("Batch %(n)s/%(count)s: %(done)s categories of level %(level)s created.",
                              n=number, count=len(batches), done=len(batch), level=batch[0].level), len(batch))

    def _update(self, updates, ids):
        for batch in chunked(sorted(updates.items()), self.BATCH_SIZE):
            for category_id, changes in batch:
                if "parent_id" in changes:
                    changes = dict(changes, parent_id=ids.get(changes["parent_id"], False))
                self.env["ebay.category"].browse(ids[category_id]).write(changes)
            self._end_batch(_("%s changed categories updated.", len(batch)), len(batch))

    def _archive(self, category_ids, ids):
        """Categories eBay removed are archived, not deleted: listings or products may still point to them."""
        for batch in chunked(category_ids, self.BATCH_SIZE):
            self.env["ebay.category"].browse([ids[category_id] for category_id in batch]).write({"active": False})
            self._end_batch(_("%s categories removed by eBay archived.", len(batch)), 0)

    # -- product categories --------------------------------------------------
    def _mirror_product_categories(self, tree_id):
        """Keep one product category per active eBay category, with the same hierarchy; level by level,
        so a parent's product category exists before its children's."""
        self.env.cr.execute("SELECT DISTINCT level FROM ebay_category WHERE tree_id = %s AND active ORDER BY level",
                            [tree_id])
        created = written = 0
        for (level,) in self.env.cr.fetchall():
            self.env.cr.execute(MIRROR_SQL, [tree_id, level])
            rows = self.env.cr.dictfetchall()
            for batch in chunked(rows, self.BATCH_SIZE):
                batch_created, batch_written = self._mirror_batch(batch)
                created += batch_created
                written += batch_written
                self.env.flush_all()
                self.run.checkpoint()
                self.env.invalidate_all()
                self._pause_if_time_is_up()
        self.run.log(_("Product categories: %(created)s created, %(written)s updated.", created=created,
                           written=written))

    def _mirror_batch(self, rows):
        to_create, to_write = [], []
        for row in rows:
            change = product_category_change(row)
            if change:
                (to_create if change[0] == "create" else to_write).append((row, change[1]))
        if to_create:
            products = self.env["product.category"].create([values for _row, values in to_create])
            for (row, _values), product_category in zip(to_create, products, strict=True):
                self.env["ebay.category"].browse(row["id"]).product_category_id = product_category
        for row, values in to_write:
            self.env["product.category"].browse(row["product_category_id"]).write(values)
        return len(to_create), len(to_write)
