"""Keep exactly one Odoo importable in var/venv: the one scripts/_common.sh chose (installed there by it).

var/venv may see the system's site-packages, where a .pth file can put a whole Odoo tree on sys.path; the
scripts may run Odoo from another tree, or from a Community-only view of that one
(scripts/odoo_community_view.py). ``odoo/__init__.py`` merges every ``odoo`` package found on sys.path
(pkgutil.extend_path), and ``odoo.addons`` then every ``odoo/addons`` folder of those: the other tree's
modules (Enterprise ones included) would be back on the addons path. So, at the first ``import odoo``
(after Python's site has read every .pth file), the chosen root goes first on sys.path and every other
folder holding an ``odoo`` package leaves it.
"""
import os
import sys


class _OnlyRoot:
    root = None

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name == "odoo":
            sys.meta_path.remove(cls)
            if not os.path.isfile(os.path.join(cls.root, "odoo", "__init__.py")):
                raise ImportError("var/venv runs the Odoo of %s (scripts/_common.sh), which is gone: scripts/run or "
                                  "scripts/test makes it again" % cls.root, name=name)
            sys.path[:] = [cls.root] + [
                entry for entry in sys.path
                if not os.path.isfile(os.path.join(entry or os.curdir, "odoo", "__init__.py"))
            ]
        return None  # the usual finders import it


def install(root):
    """Called by the .pth file scripts/_common.sh writes into var/venv's site-packages."""
    _OnlyRoot.root = root
    sys.meta_path.insert(0, _OnlyRoot)
