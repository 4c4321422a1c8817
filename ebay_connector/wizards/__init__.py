from . import ebay_site_shop_wizard
