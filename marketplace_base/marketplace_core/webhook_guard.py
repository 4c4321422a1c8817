"""What every marketplace webhook checks before it reads a request's body (eBay's and Shopee's alike)."""


def body_refusal(content_length, mimetype, max_bytes):
    """``(status, reason)`` when a webhook POST must be refused unread, else None.

    The body is read whole (signatures cover the raw bytes), so its size is known and bounded first:
    no Content-Length is 411, more than ``max_bytes`` is 413; marketplaces post JSON, anything else is 415.
    """
    if content_length is None:
        return 411, "Content-Length is required"
    if content_length > max_bytes:
        return 413, "body larger than %s bytes" % max_bytes
    if mimetype != "application/json":
        return 415, "content type must be application/json"
    return None
