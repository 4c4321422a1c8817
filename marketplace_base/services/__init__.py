from . import sale_order_creator
