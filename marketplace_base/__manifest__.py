{
    "name": "Marketplace Base",
    "summary": "Marketplace accounts, shops, product bindings, sync rules, orders and a durable job queue",
    "description": """
Platform-neutral foundation for marketplace connectors (eBay, later Shopee and others):
accounts with encrypted credentials, shops, product bindings, stock sync rules,
marketplace orders turned into sale orders, and a durable job queue with priorities,
retries with backoff, progress, logs, Stop and crash recovery.
""",
    "version": "18.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Team",
    "depends": ["mail", "sale_management", "sale_stock", "delivery"],
    "data": [
        "security/marketplace_security.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "data/product_data.xml",
        "views/marketplace_job_views.xml",
        "views/marketplace_order_views.xml",
        "views/marketplace_product_binding_views.xml",
        "views/marketplace_sync_rule_views.xml",
        "views/marketplace_shop_views.xml",
        "views/marketplace_account_views.xml",
        "views/marketplace_bulk_binding_views.xml",
        "views/marketplace_takeover_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/marketplace_menus.xml",
    ],
    "demo": ["demo/marketplace_demo.xml"],
    "assets": {
        "web.assets_tests": ["marketplace_base/static/tests/tours/*.js"],
    },
    "external_dependencies": {"python": ["cryptography", "requests"]},
    "application": True,
    "installable": True,
}
