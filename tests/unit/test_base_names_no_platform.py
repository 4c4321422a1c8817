"""marketplace_base names no platform in code: a third marketplace plugs in without editing it.

The rule, precisely. A platform is named by "ebay" or "shopee" in any case. In marketplace_base (tests included):
- Python: no identifier (variable, attribute, function, class, argument, keyword, imported module or name) and no
  string constant names one, except docstrings and the user-facing ``help=`` / ``string=`` / ``placeholder=`` of a
  field, which may name one as an example; comments are free.
- XML: no attribute (record ids, refs, models, field names, domains, ``invisible``, contexts, groups...) names one,
  except the user-facing ``string``, ``help``, ``placeholder`` and ``title``; element text and comments are free.
- CSV (access rights) and JavaScript (tours): not at all, outside JavaScript ``//`` comments.
"""
import ast
import os
import re
from xml.etree import ElementTree

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.path.join(ROOT, "marketplace_base")
PLATFORM = re.compile(r"ebay|shopee", re.IGNORECASE)
TEXT_KEYWORDS = {"help", "string", "placeholder"}
TEXT_ATTRIBUTES = {"string", "help", "placeholder", "title"}


def _docstrings(tree):
    nodes = [tree] + [node for node in ast.walk(tree)
                      if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    return {id(node.body[0].value) for node in nodes
            if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def python_names(source):
    """(line, text) of each place where ``source`` names a platform in code."""
    tree = ast.parse(source)
    allowed = _docstrings(tree)
    allowed |= {id(keyword.value) for node in ast.walk(tree) if isinstance(node, ast.Call)
                for keyword in node.keywords if keyword.arg in TEXT_KEYWORDS}
    found = []
    for node in ast.walk(tree):
        texts = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in allowed:
            texts.append(node.value)
        elif isinstance(node, ast.Name):
            texts.append(node.id)
        elif isinstance(node, ast.Attribute):
            texts.append(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            texts.append(node.name)
        elif isinstance(node, ast.arg):
            texts.append(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            texts.append(node.arg)
        elif isinstance(node, ast.ImportFrom):
            texts.append(node.module or "")
        elif isinstance(node, ast.alias):
            texts.extend([node.name, node.asname or ""])
        found.extend((getattr(node, "lineno", 0), text) for text in texts if PLATFORM.search(text))
    return found


def xml_names(source):
    """(tag, attribute, value) of each attribute of ``source`` that names a platform outside user-facing text."""
    return [(element.tag, name, value) for element in ElementTree.fromstring(source).iter()
            for name, value in element.attrib.items() if name not in TEXT_ATTRIBUTES and PLATFORM.search(value)]


def other_names(source, javascript):
    lines = source.splitlines()
    if javascript:
        lines = [line.split("//", 1)[0] for line in lines]
    return [(number, line) for number, line in enumerate(lines, 1) if PLATFORM.search(line)]


def base_files():
    for folder, _dirs, files in os.walk(BASE):
        for name in files:
            if name.endswith((".py", ".xml", ".csv", ".js")):
                yield os.path.join(folder, name)


@pytest.mark.parametrize("path", sorted(base_files()), ids=lambda path: os.path.relpath(path, BASE))
def test_marketplace_base_names_no_platform_in_code(path):
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    if path.endswith(".py"):
        found = python_names(source)
    elif path.endswith(".xml"):
        found = xml_names(source)
    else:
        found = other_names(source, javascript=path.endswith(".js"))
    assert not found, "%s names a platform in code (ask marketplace.platform instead): %s" % (path, found)


def test_the_rule_catches_code_and_leaves_prose():
    assert python_names('x = shop.platform == "ebay"\n') == [(1, "ebay")]
    assert [text for _line, text in python_names("def _ebay_site(self):\n    return self.shopee_region\n")] == [
        "_ebay_site", "shopee_region"]
    assert python_names("from odoo.addons.ebay_connector import models\n") == [(1, "odoo.addons.ebay_connector")]
    prose = ('"""Module of eBay."""\n# Shopee\ndef f():\n    """eBay."""\n'
             'name = fields.Char(help="e.g. EBAY_US", string="eBay name")\n')
    assert python_names(prose) == []
    assert xml_names('<odoo><field name="x" invisible="platform != \'shopee\'" placeholder="e.g. eBay"/>'
                     '<p>eBay</p></odoo>') == [("field", "invisible", "platform != 'shopee'")]
    assert other_names("a,model_ebay_thing\n", javascript=False) == [(1, "a,model_ebay_thing")]
    assert other_names("run(); // eBay\n", javascript=True) == []
