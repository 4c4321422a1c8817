"""What the simulated shops offer for shipping (get_shipping_parameter's answer) and the airway bill's file.

A shop's profile is set with ``POST /_sim/logistics {"shop_id", "profile"}`` (docs/shopee-simulator.md).
"""
ADDRESS = {"address_id": 2826, "region": "TH", "state": "Bangkok", "city": "Bangkok", "district": "Pathum Wan",
           "town": "", "zipcode": "10330", "address": "1 Warehouse Road",
           "address_flag": ["default_address", "pickup_address", "return_address"]}
BRANCHES = [{"branch_id": 7001, "region": "TH", "state": "Bangkok", "city": "Bangkok", "district": "Pathum Wan",
             "town": "", "zipcode": "10330", "address": "Kerry Express Siam Square"},
            {"branch_id": 7002, "region": "TH", "state": "Bangkok", "city": "Bangkok", "district": "Bang Rak",
             "town": "", "zipcode": "10500", "address": "Kerry Express Silom"}]
DAY = 86400
# profile -> (info_needed, whether the pickup address has time slots, drop-off branches)
PROFILES = {
    # pickup with slots or a drop-off without fields (Shopee's own example in its Order Management guide)
    "default": ({"dropoff": [], "pickup": ["address_id", "pickup_time_id"]}, True, None),
    "pickup_slots": ({"pickup": ["address_id", "pickup_time_id"]}, True, None),
    # the carrier gives no time slot: Shopee arranges the pickup time itself
    "pickup_no_slots": ({"pickup": ["address_id", "pickup_time_id"]}, False, None),
    "dropoff_fields": ({"dropoff": ["branch_id", "sender_real_name"]}, False, BRANCHES),
    "non_integrated": ({"non_integrated": ["tracking_no"]}, False, None),
}
DOCUMENT_TYPES = ["NORMAL_AIR_WAYBILL", "THERMAL_AIR_WAYBILL"]


def shipping_parameter(profile, now):
    """get_shipping_parameter's ``response`` for a shop of ``profile``; the second slot is the recommended one."""
    info_needed, slots, branches = PROFILES[profile]
    answer = {"info_needed": {method: list(fields) for method, fields in info_needed.items()}}
    if "dropoff" in info_needed:
        answer["dropoff"] = {"branch_list": branches}
    if "pickup" in info_needed:
        today = int(now) // DAY * DAY  # the same slots all day long, as between asking and shipping
        days = (1, 2, 3) if slots else ()
        answer["pickup"] = {"address_list": [dict(ADDRESS, time_slot_list=[
            {"date": today + DAY * day, "pickup_time_id": str(today + DAY * day),
             "flags": ["recommended"] if day == 2 else []} for day in days])]}
    return answer


def missing_fields(parameter, body):
    """The info_needed fields of the method ``body`` uses that it leaves out or fills wrongly ([] when right)."""
    method = next(m for m in ("pickup", "dropoff", "non_integrated") if m in body)
    needed = parameter["info_needed"][method]
    given = body[method] if isinstance(body[method], dict) else {}
    wrong = []
    for field in needed:
        value = given.get("tracking_number" if field == "tracking_no" else field)
        if field == "branch_id":
            ok = value in [branch["branch_id"] for branch in parameter["dropoff"]["branch_list"] or ()]
        elif field in ("address_id", "pickup_time_id"):
            ok = _pickup_value_ok(parameter, field, value, given)
        else:
            ok = isinstance(value, str) and value.strip() != ""
        if not ok:
            wrong.append(field)
    return wrong


def _pickup_value_ok(parameter, field, value, given):
    address = next((a for a in parameter["pickup"]["address_list"] if a["address_id"] == given.get("address_id")),
                   None)
    if field == "address_id":
        return address is not None
    slots = [slot["pickup_time_id"] for slot in (address or {}).get("time_slot_list") or ()]
    # no slot offered: arranged without one (Shopee picks the time); else one of the address's slots
    return value is None if not slots else value in slots


def pdf(lines):
    """A small valid one-page PDF showing ``lines`` (the airway bill the simulator hands out)."""
    text = " ".join(f"({_pdf_escape(line)}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 40 260 Td {text} ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 288] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_escape(text):
    return str(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
