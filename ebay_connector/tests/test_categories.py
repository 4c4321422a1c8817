from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from odoo.exceptions import UserError

from odoo.addons.marketplace_simulators.ebay_sim.taxonomy import DEEP_BRANCH, TREE_VERSIONS, build_tree

from .common import EbayCase

TREE_PATH = "/commerce/taxonomy/v1/category_tree/{id}"


def sim_nodes(node):
    for child in node.children:
        yield child
        yield from sim_nodes(child)


@contextmanager
def spy(model, *methods):
    """Record the ids and values of every call of ``methods`` on ``model`` (calls still happen)."""
    calls = {method: [] for method in methods}
    cls = type(model)
    originals = {method: getattr(cls, method) for method in methods}

    def recorder(method):
        def wrapper(records, *args, **kwargs):
            calls[method].append((records.ids, args))
            return originals[method](records, *args, **kwargs)
        return wrapper

    with ExitStack() as stack:
        for method in methods:  # not patch.multiple: its own ``create`` keyword would swallow "create"
            stack.enter_context(patch.object(cls, method, recorder(method)))
        yield calls


class CategoryJobCase(EbayCase):

    def import_categories(self, payload=None):
        job = self.enqueue_and_run("import_categories", payload)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def categories(self, **domain):
        return self.env["ebay.category"].with_context(active_test=False).search(
            [("tree_id", "=", "0")] + [(name, "=", value) for name, value in domain.items()])


class TestCategoryImport(CategoryJobCase):
    """The full EBAY_US-sized tree (20 000 nodes, every level), imported once for the class."""

    sim_seed = {"categories": "full"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tree = build_tree("full")
        cls.first_job = cls.env["marketplace.job"]._enqueue("import_categories", shop=cls.ebay_shop)
        cls.env.flush_all()
        cls.env["marketplace.job"]._run_pending()
        cls.env.invalidate_all()

    def test_full_tree_with_parents_paths_and_leaf_flags(self):
        job = self.first_job
        self.assertEqual(job.state, "done", job.last_error)
        nodes = list(sim_nodes(self.tree.root))
        self.assertGreater(len(nodes), 19000)
        self.assertEqual(self.env["ebay.category"].search_count([("tree_id", "=", "0")]), len(nodes))
        self.env.cr.execute("SELECT category_id FROM ebay_category WHERE tree_id = '0' AND leaf")
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, set(self.tree.leaves))
        self.env.cr.execute("SELECT count(*) FROM ebay_category WHERE level > 1 AND parent_id IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        deepest = self.categories(name=DEEP_BRANCH[-1])
        self.assertEqual(deepest.level, 7)
        self.assertTrue(deepest.leaf)
        self.assertEqual(deepest.full_path, " > ".join(["Collectibles"] + DEEP_BRANCH))
        self.assertEqual(deepest.parent_id.name, DEEP_BRANCH[-2])
        self.assertEqual(deepest.parent_id.parent_id.full_path, " > ".join(["Collectibles"] + DEEP_BRANCH[:-2]))
        self.assertEqual(self.ebay_account.ebay_category_tree_version, TREE_VERSIONS["full"])
        self.assertEqual(job.progress_stored, len(nodes))
        self.assertTrue(job.log_ids.filtered(lambda line: "Batch 1/" in line.message))
        self.assertLessEqual(job.call_count, 3)

    def test_second_run_changes_nothing(self):
        self.reset_sim_calls()
        with spy(self.env["ebay.category"], "create", "write") as calls:
            job = self.import_categories()
        self.assertEqual(calls, {"create": [], "write": []})
        self.assertLessEqual(job.call_count, 2)
        self.assertNotIn(TREE_PATH.format(id="{id}"), " ".join(self.sim_calls()))
        self.assertTrue(job.log_ids.filtered(lambda line: "unchanged" in line.message))

    def test_forced_run_of_the_same_tree_writes_nothing(self):
        with spy(self.env["ebay.category"], "create", "write") as calls:
            job = self.import_categories({"force": True})
        self.assertEqual(calls, {"create": [], "write": []})
        self.assertEqual(job.progress_stored, job.progress_total)

    def test_changed_tree_updates_only_the_changed_nodes(self):
        renamed = self.categories(name=DEEP_BRANCH[2])
        moved = self.categories(category_id=self.tree.root.children[0].children[0].category_id)
        leaf = self.categories(name=DEEP_BRANCH[-1])
        leaf_id, leaf_path = leaf.category_id, leaf.full_path
        self.env.cr.execute("UPDATE ebay_category SET name = 'Old Name', full_path = 'Old > Path' WHERE id = %s",
                            [renamed.id])
        self.env.cr.execute("UPDATE ebay_category SET parent_id = NULL, level = 1 WHERE id = %s", [moved.id])
        self.env.cr.execute("DELETE FROM ebay_category WHERE id = %s", [leaf.id])
        gone = self.env["ebay.category"].create({"tree_id": "0", "category_id": "999", "name": "Gone", "level": 1,
                                                 "full_path": "Gone", "leaf": True})
        self.env.invalidate_all()
        with spy(self.env["ebay.category"], "create", "write") as calls:
            self.import_categories({"force": True})
        self.assertEqual(sorted(ids[0] for ids, _args in calls["write"]), sorted([renamed.id, moved.id, gone.id]))
        self.assertEqual(len(calls["create"]), 1)
        self.assertEqual(renamed.name, DEEP_BRANCH[2])
        self.assertEqual(renamed.full_path, " > ".join(["Collectibles"] + DEEP_BRANCH[:3]))
        self.assertEqual((moved.level, moved.parent_id.category_id), (2, self.tree.root.children[0].category_id))
        self.assertFalse(gone.active)
        recreated = self.categories(category_id=leaf_id)
        self.assertTrue(recreated.leaf)
        self.assertEqual(recreated.full_path, leaf_path)

    def test_stop_between_batches(self):
        self.env.cr.execute("DELETE FROM ebay_category")
        self.env.invalidate_all()
        job = self.env["marketplace.job"]._enqueue("import_categories", shop=self.ebay_shop, payload={"force": True})
        original = type(self.env["ebay.category"]).create

        def create_then_stop(records, vals_list):
            result = original(records, vals_list)
            records.env.cr.execute("UPDATE marketplace_job SET state = 'cancelled' WHERE id = %s", [job.id])
            return result

        with patch.object(type(self.env["ebay.category"]), "create", create_then_stop):
            self.run_jobs()
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(self.env["ebay.category"].search_count([("tree_id", "=", "0")]), len(self.tree.root.children))

    def test_a_long_import_runs_in_slices_and_the_next_slice_creates_only_what_is_missing(self):
        self.env.cr.execute("DELETE FROM ebay_category")
        self.env.invalidate_all()
        job = self.env["marketplace.job"]._enqueue("import_categories", shop=self.ebay_shop, payload={"force": True})
        self.run_slice_out_of_time(job)  # time is up after one batch
        self.assertEqual((job.state, job.slice_count, job.attempts), ("pending", 1, 0))
        self.assertEqual(self.env["ebay.category"].search_count([("tree_id", "=", "0")]), len(self.tree.root.children))
        with spy(self.env["ebay.category"], "create", "write") as calls:
            self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        nodes = list(sim_nodes(self.tree.root))
        self.assertEqual(self.env["ebay.category"].search_count([("tree_id", "=", "0")]), len(nodes))
        self.assertEqual(sum(len(args[0]) for _ids, args in calls["create"]), len(nodes) - len(self.tree.root.children),
                         "the first slice's categories are not created again")
        self.assertEqual((job.progress_total, job.progress_stored), (len(nodes), len(nodes)))

    def test_aspects_fetched_once_then_cached(self):
        leaf = self.categories(name=DEEP_BRANCH[-1])
        self.reset_sim_calls()
        leaf.action_fetch_aspects()
        leaf.action_fetch_aspects()
        aspects = leaf._ebay_aspects()
        path = "GET /commerce/taxonomy/v1/category_tree/{id}/get_item_aspects_for_category"
        self.assertEqual(self.sim_calls().get(path), 1)
        self.assertIn("Brand", [aspect["localizedAspectName"] for aspect in aspects])
        self.assertIn("Brand (free text", leaf.aspects_required)
        self.assertIn("Color (pick from list", leaf.aspects_recommended)
        self.assertTrue(leaf.aspects_fetched_at)
        leaf.action_refresh_aspects()
        self.assertEqual(self.sim_calls().get(path), 2)
        with self.assertRaisesRegex(UserError, "not a leaf"):
            leaf.parent_id.action_fetch_aspects()


class TestProductCategoryMirror(CategoryJobCase):
    """Option Create Product Categories, on the small demo tree."""

    def test_product_categories_keep_the_hierarchy_and_rerun_writes_nothing(self):
        self.ebay_account.ebay_sync_product_categories = True
        self.import_categories()
        categories = self.categories()
        self.assertTrue(categories)
        self.assertFalse(categories.filtered(lambda category: not category.product_category_id))
        deepest = categories.filtered(lambda category: category.name == DEEP_BRANCH[-1])
        self.assertEqual(deepest.product_category_id.complete_name, " / ".join(["Collectibles"] + DEEP_BRANCH))
        with spy(self.env["product.category"], "create", "write") as calls:
            self.import_categories({"force": True})
        self.assertEqual(calls, {"create": [], "write": []})
