from . import marketplace_bulk_binding
