{
    "name": "eBay Connector",
    "summary": "Two-way eBay sync: OAuth, categories, listings, orders, stock, prices, fulfillment, webhook",
    "description": """
Connects Odoo 18 to eBay's REST APIs on top of Marketplace Base: every flow runs as a
job of the durable marketplace queue (visible, retried, stoppable), scheduled by crons
and startable by hand. Ships a local eBay sandbox simulator for demos and tests.
""",
    "version": "18.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Team",
    "depends": ["marketplace_base", "delivery", "stock_delivery"],
    "data": [
        "security/ir.model.access.csv",
        "security/ebay_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/ebay_condition_data.xml",
        "data/ir_cron_data.xml",
        "views/ebay_menus.xml",
        "views/marketplace_account_views.xml",
        "views/marketplace_shop_views.xml",
        "views/marketplace_product_binding_views.xml",
        "views/ebay_category_views.xml",
        "views/ebay_condition_views.xml",
        "views/ebay_notification_views.xml",
        "views/delivery_carrier_views.xml",
        "views/stock_picking_views.xml",
        "views/marketplace_listing_views.xml",
    ],
    "demo": ["demo/ebay_demo.xml"],
    "assets": {
        "web.assets_tests": ["ebay_connector/static/tests/tours/*.js"],
    },
    "external_dependencies": {"python": ["requests", "python-dateutil", "cryptography"]},
    "installable": True,
}
