{
    "name": "Shopee Connector",
    "summary": "Shopee Open Platform v2: shop authorization, orders, stock and prices, shipping, push webhook",
    "description": """
Connects Odoo 18 to Shopee (Open Platform v2) on top of Marketplace Base: a seller authorizes
each shop, orders become sale orders, stock and prices are pushed per item and model,
shipments are arranged and their tracking numbers land on the deliveries; every flow is a
job of the marketplace queue. Ships a local Shopee simulator for demos and tests.
""",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Team",
    "depends": ["marketplace_base", "delivery", "stock_delivery"],
    "data": [
        "security/ir.model.access.csv",
        "security/shopee_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "views/marketplace_account_views.xml",
        "views/marketplace_shop_views.xml",
        "views/shopee_push_views.xml",
        "views/stock_picking_views.xml",
    ],
    "demo": ["demo/shopee_demo.xml"],
    "external_dependencies": {"python": ["requests", "cryptography"]},
    "installable": True,
}
