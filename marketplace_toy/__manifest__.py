{
    "name": "Marketplace Toy Platform (tests)",
    "summary": "A minimal third platform for the tests: orders in, stock out, through marketplace_base's interface "
               "alone (docs/adding-a-platform.md)",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Marketplace Connector Team",
    "depends": ["marketplace_base"],
    "data": [],
    "external_dependencies": {"python": ["requests"]},
    "installable": True,
}
