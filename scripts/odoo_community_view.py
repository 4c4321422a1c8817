#!/usr/bin/env python3
"""A Community-only view of an Odoo 18 tree (used by scripts/_common.sh, standard library only).

The project installs only Odoo Community modules, but some Odoo trees found on machines (a packaged
Odoo with the Enterprise addons merged into ``odoo/addons``) also hold Enterprise modules (manifest licence
OEEL-1 or OPL-1), and dozens of them auto-install into every database as soon as their dependencies are
there. Odoo has no switch to ignore modules on its addons path, so the scripts run Odoo from a view of the
tree made of symbolic links: everything of the tree but its addons folders, and in those only the modules
under a licence Odoo's Community uses (LGPL-3 for all of Odoo's own; the other open licences Odoo knows are
accepted too). Nothing of the tree is changed.

    odoo_community_view.py TREE VIEW
        TREE holds no other module: removes VIEW, prints nothing.
        Otherwise (re)makes VIEW when TREE's modules changed, prints VIEW and a line saying how many
        modules were left out under which licences on stdout, and says so loudly on stderr.
"""
import ast
import collections
import os
import shutil
import sys

# Licences of Odoo's module manifests (base's ir.module.module `license`) that are free software. Odoo
# defaults a manifest without one to LGPL-3.
COMMUNITY_LICENSES = frozenset((
    "GPL-2", "GPL-2 or any later version", "GPL-3", "GPL-3 or any later version", "AGPL-3", "LGPL-3",
    "Other OSI approved licence",
))
# The tree's addons folders: the packaged layout has only odoo/addons, a source checkout also addons/.
ADDONS_DIRS = ("odoo/addons", "addons")
STAMP = ".community-view"


def read_manifest(module_dir):
    """A module's manifest as a dict, {} when the folder holds no module, None when it cannot be read."""
    manifest = os.path.join(module_dir, "__manifest__.py")
    if not os.path.isfile(manifest):
        return {}
    with open(manifest, encoding="utf-8") as handle:
        try:
            return ast.literal_eval(handle.read())
        except (SyntaxError, ValueError):
            return None


def sort_modules(tree):
    """{addons folder: [Community module names]} and a Counter of why the others were left out.

    A module is kept when its licence is one of Odoo Community's (Odoo defaults a missing one to LGPL-3)
    and every module it depends on is kept: some modules of Odoo's Enterprise repository are LGPL-3
    bridges to Enterprise ones (account_online_payment needs account_online_synchronization), which Odoo
    could never install without those and would report as an error.
    """
    manifests = {}
    for addons in ADDONS_DIRS:
        folder = os.path.join(tree, addons)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
            manifest = read_manifest(os.path.join(folder, name))
            if manifest != {}:
                manifests.setdefault(name, (addons, manifest))
    left_out = collections.Counter()
    kept = set()
    for name, (_addons, manifest) in manifests.items():
        license_ = "unreadable manifest" if manifest is None else manifest.get("license") or "LGPL-3"
        if license_ in COMMUNITY_LICENSES:
            kept.add(name)
        else:
            left_out[license_] += 1
    while needing := {name for name in kept if not set(manifests[name][1].get("depends", ())) <= kept}:
        kept -= needing
        left_out["needing a module left out"] += len(needing)
    by_folder = {addons: [] for addons in ADDONS_DIRS if os.path.isdir(os.path.join(tree, addons))}
    for name in sorted(kept):
        by_folder[manifests[name][0]].append(name)
    return by_folder, left_out


def link_all_but(source, target, skip):
    """Link every entry of source into target except those named in skip."""
    for name in os.listdir(source):
        if name not in skip:
            os.symlink(os.path.join(source, name), os.path.join(target, name))


def build(tree, view, kept):
    """Make the view in a fresh folder, then put it in place of the previous one.

    odoo-bin is copied, not linked: Python puts a script's real folder first on sys.path, so a linked
    odoo-bin would import the full tree's odoo.
    """
    fresh = "%s.new-%d" % (view, os.getpid())
    os.makedirs(os.path.join(fresh, "odoo"))
    link_all_but(tree, fresh, {"odoo", "addons", "odoo-bin"})
    link_all_but(os.path.join(tree, "odoo"), os.path.join(fresh, "odoo"), {"addons"})
    if os.path.isfile(os.path.join(tree, "odoo-bin")):
        shutil.copy2(os.path.join(tree, "odoo-bin"), os.path.join(fresh, "odoo-bin"))
    for addons, modules in kept.items():
        source, target = os.path.join(tree, addons), os.path.join(fresh, addons)
        os.makedirs(target)
        for name in os.listdir(source):
            path = os.path.join(source, name)
            if name in modules or not os.path.isdir(path):  # modules kept, and files such as __init__.py
                os.symlink(path, os.path.join(target, name))
    with open(os.path.join(fresh, STAMP), "w", encoding="utf-8") as handle:
        handle.write(stamp_text(tree, kept))
    remove(view)
    try:
        os.rename(fresh, view)
    except OSError:  # another script made it meanwhile, from the same tree
        remove(fresh)


def stamp_text(tree, kept):
    """What the view was made from: a view with the same stamp is reused as it is."""
    return "%s\n%s\n" % (tree, "\n".join("%s/%s" % (a, m) for a, modules in kept.items() for m in modules))


def remove(view):
    """Remove a view (its links only: the tree's files stay)."""
    if os.path.isdir(view):
        shutil.rmtree(view)


def main(tree, view):
    tree, view = os.path.abspath(tree), os.path.abspath(view)
    if tree == view:  # given the view itself (--odoo var/odoo-community): it holds only Community modules
        return 0
    kept, left_out = sort_modules(tree)
    if not left_out:
        remove(view)
        return 0
    try:
        with open(os.path.join(view, STAMP), encoding="utf-8") as handle:
            current = handle.read() == stamp_text(tree, kept)
    except OSError:
        current = False
    if not current:
        build(tree, view, kept)
    count, why = sum(left_out.values()), ", ".join("%s: %d" % item for item in sorted(left_out.items()))
    sys.stderr.write(
        "\n!!! The Odoo tree %s holds modules that are not Odoo Community; Enterprise ones would\n"
        "    auto-install into every database. The project installs only Community modules, so Odoo runs from\n"
        "    %s, a view of that tree without them (scripts/odoo_community_view.py):\n"
        "    %d left out (%s), %d Community modules kept.\n"
        % (tree, view, count, why, sum(len(m) for m in kept.values())))
    note = "%d modules of %s left out as not Odoo Community (%s)" % (count, tree, why)
    print(view)
    print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
