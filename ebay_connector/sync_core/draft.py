"""Drafting a listing: what eBay's catalog or a vision model proposes, checked against eBay's limits.

A proposal (``Proposal``: title, brand, model, colour, size, condition, item specifics, description) comes from
eBay's catalog (``proposal_from_catalog``) or from a vision model's JSON answer (``proposal_from_answer``).
``check_proposal`` keeps what eBay would accept in the listing's category — the limits of ``publish`` (title,
item specific names and values, cardinality, SELECTION_ONLY values, conditions) — and drops the rest, each
drop with a code the Odoo layer words for the person who reviews the draft. Nothing here publishes.
"""
import json
import re
from dataclasses import dataclass, field
from html import escape

from .publish import (
    CONDITIONS,
    MAX_ASPECT_NAME,
    MAX_ASPECT_VALUE,
    MAX_ASPECT_VALUES,
    MAX_CONDITION_NOTES,
    MAX_LISTING_DESCRIPTION,
    MAX_TITLE,
    NEW,
    _values,
)

# The proposal's own fields that are also item specifics, by the names eBay's categories use for them.
FIELD_ASPECTS = {"brand": ("Brand",), "model": ("Model",), "colour": ("Color", "Colour"), "size": ("Size",),
                 "mpn": ("MPN",)}
ANSWER_KEYS = ("title", "brand", "model", "colour", "size", "condition", "condition_notes", "item_specifics",
               "description")


@dataclass(frozen=True)
class Proposal:
    """What a source proposes for a listing; any field may be missing (None / empty)."""

    title: str | None = None
    brand: str | None = None
    model: str | None = None
    colour: str | None = None
    size: str | None = None
    mpn: str | None = None
    condition: str | None = None
    condition_notes: str | None = None
    description: str | None = None
    aspects: dict = field(default_factory=dict)     # name -> [values]
    epid: str | None = None
    image_urls: tuple = ()


@dataclass(frozen=True)
class Dropped:
    """A proposed value left out of the draft, and why (a code with its values)."""

    code: str
    field: str
    value: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedDraft:
    """The values that may reach the listing's form, and what was dropped."""

    title: str | None = None
    brand: str | None = None
    mpn: str | None = None
    condition: str | None = None
    condition_notes: str | None = None
    description: str | None = None
    aspects: dict = field(default_factory=dict)     # name -> tuple of values
    dropped: tuple = ()


# ---------------------------------------------------------------- sources


def proposal_from_catalog(product):
    """A Proposal of an eBay catalog ``Product`` (Catalog API getProduct)."""
    aspects = {}
    for aspect in product.get("aspects") or ():
        name = (aspect.get("localizedName") or "").strip()
        if name:
            aspects[name] = list(aspect.get("localizedValues") or ())
    images = [image.get("imageUrl") for image in [product.get("image") or {}, *(product.get("additionalImages")
                                                                                 or ())]]
    return Proposal(title=product.get("title"), brand=product.get("brand"),
                    mpn=(product.get("mpn") or [None])[0], description=product.get("description"),
                    aspects=aspects, epid=product.get("epid"), image_urls=tuple(url for url in images if url))


class AnswerError(ValueError):
    """A vision model's answer is not the JSON object asked for."""


def proposal_from_answer(answer):
    """A Proposal of a vision model's JSON answer (a dict, see ``vision_instructions``)."""
    if not isinstance(answer, dict):
        raise AnswerError("The answer is not a JSON object.")
    specifics = answer.get("item_specifics") or {}
    if not isinstance(specifics, dict):
        raise AnswerError("item_specifics is not an object.")
    aspects = {str(name): values if isinstance(values, list) else [values] for name, values in specifics.items()}
    return Proposal(aspects=aspects, **{key: _text(answer.get(key)) for key in ANSWER_KEYS
                                        if key != "item_specifics"})


def _text(value):
    """A JSON value as text (numbers too: a size of 42); None for nothing."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return " ".join(str(value).split()) or None


def vision_instructions(specs, conditions, category_name=None):
    """What a vision model is asked: one JSON object describing the item in the photos, with the category's
    item specifics (the allowed values of SELECTION_ONLY ones) and the conditions it may choose from."""
    aspects = [{"name": spec.name, "required": spec.required, "several_values": spec.multi,
                **({"allowed_values": list(spec.values)} if spec.selection_only and spec.values else {})}
               for spec in specs]
    shape = {"title": f"at most {MAX_TITLE} characters, the words buyers search for",
             "brand": "", "model": "", "colour": "", "size": "",
             "condition": "one of: " + ", ".join(conditions or CONDITIONS),
             "condition_notes": "visible wear or defects (not for NEW)",
             "item_specifics": {"<name>": ["<value>"]},
             "description": "a few sentences for buyers, plain text"}
    return "\n".join([
        "You prepare an eBay listing from photos of one item for sale. Answer with one JSON object only, shaped:",
        json.dumps(shape, indent=1),
        "Leave a field empty (\"\") when the photos do not show it; never guess a brand or model.",
        f"Item specifics: only these names, values of at most {MAX_ASPECT_VALUE} characters, "
        "one value unless several_values, only allowed_values when given:",
        json.dumps(aspects),
        *([f"eBay category: {category_name}"] if category_name else []),
    ])


# ---------------------------------------------------------------- the check


def check_proposal(proposal, specs=None, conditions=None):
    """The CheckedDraft of ``proposal`` for a category of item specifics ``specs`` (``publish.AspectSpec``;
    None: no category chosen, so no item specific can be kept) accepting ``conditions`` (None: any of eBay's).
    Every proposed value either passes eBay's limits or is dropped with its reason."""
    dropped = []
    title = _limited(proposal.title, "title", MAX_TITLE, dropped)
    brand = _limited(proposal.brand, "brand", MAX_ASPECT_VALUE, dropped)
    mpn = _limited(proposal.mpn, "mpn", MAX_ASPECT_VALUE, dropped)
    condition = _condition(proposal.condition, conditions, dropped)
    notes = _limited(proposal.condition_notes, "condition_notes", MAX_CONDITION_NOTES, dropped)
    if notes and condition == NEW:
        dropped.append(Dropped("condition_notes_for_new", "condition_notes", notes))
        notes = None
    description = _limited(proposal.description, "description", MAX_LISTING_DESCRIPTION, dropped)
    fields = {"brand": brand, "mpn": mpn, "model": proposal.model, "colour": proposal.colour, "size": proposal.size}
    aspects = _aspects(_proposed_aspects(proposal.aspects, fields, specs or ()), specs, dropped)
    return CheckedDraft(title=title, brand=brand, mpn=mpn, condition=condition, condition_notes=notes,
                        description=description, aspects=aspects, dropped=tuple(dropped))


def _limited(value, name, limit, dropped):
    """``value`` without surrounding blanks when it fits ``limit``; else dropped (``too_long``)."""
    value = (value or "").strip()
    if len(value) > limit:
        dropped.append(Dropped("too_long", name, value, {"length": len(value), "max": limit}))
        return None
    return value or None


def _condition(value, conditions, dropped):
    """eBay's ConditionEnum of ``value`` (``used good`` reads as USED_GOOD) when the category accepts it."""
    if not value:
        return None
    code = re.sub(r"[^A-Z]+", "_", value.upper()).strip("_")
    if code not in CONDITIONS:
        dropped.append(Dropped("condition_unknown", "condition", value))
        return None
    if conditions and code not in conditions:
        dropped.append(Dropped("condition_not_allowed", "condition", value, {"allowed": ", ".join(conditions)}))
        return None
    return code


def _proposed_aspects(proposed, fields, specs):
    """The proposed item specifics, completed by the brand, model, colour, size and MPN (``fields``; a brand
    or MPN already dropped is not proposed twice) under the name the category uses for them (a value the
    source gave as an item specific wins)."""
    aspects = {}
    for name, values in proposed.items():
        aspects.setdefault(name.strip(), []).extend(_values(values))
    names = {spec.name for spec in specs}
    for attribute, candidates in FIELD_ASPECTS.items():
        value = fields[attribute]
        name = next((candidate for candidate in candidates if candidate in names), None)
        if value and name and not aspects.get(name):
            aspects[name] = _values(value)
    return {name: values for name, values in aspects.items() if values}


def _aspects(aspects, specs, dropped):
    """The values eBay accepts, by the category's name of each item specific (matched without regard to case);
    an item specific the category does not have, or any without a category, is dropped."""
    by_name = {spec.name.casefold(): spec for spec in specs or ()}
    grouped = {}
    for name, values in aspects.items():
        spec = by_name.get(name.casefold())
        if spec is None:
            code = "aspect_unknown" if specs is not None else "category_missing"
            dropped.append(Dropped(code, name, "; ".join(values)))
        else:
            grouped.setdefault(spec.name, (spec, []))[1].extend(values)
    accepted = {}
    for name, (spec, values) in grouped.items():
        kept = _aspect_values(spec, values, dropped)
        if kept:
            accepted[name] = tuple(kept)
    return accepted


def _aspect_values(spec, values, dropped):
    """One item specific's values that pass: name and value lengths, the allowed values of SELECTION_ONLY
    (matched without regard to case), no repeat, then the cardinality (SINGLE: one; MULTI: at most 30)."""
    name = spec.name
    if len(name) > MAX_ASPECT_NAME:
        dropped.extend(Dropped("aspect_name_too_long", name, value, {"max": MAX_ASPECT_NAME}) for value in values)
        return []
    limit = min(spec.max_length, MAX_ASPECT_VALUE)
    allowed = {value.casefold(): value for value in spec.values} if spec.selection_only else {}
    kept = []
    for value in values:
        if len(value) > limit:
            dropped.append(Dropped("aspect_value_too_long", name, value, {"max": limit}))
        elif spec.selection_only and spec.values and value.casefold() not in allowed:
            dropped.append(Dropped("aspect_value_not_allowed", name, value))
        else:
            value = allowed.get(value.casefold(), value)
            if value not in kept:
                kept.append(value)
    most = MAX_ASPECT_VALUES if spec.multi else 1
    for value in kept[most:]:
        dropped.append(Dropped("aspect_too_many_values", name, value, {"max": most}))
    return kept[:most]


def description_html(text):
    """A model's plain-text description as HTML paragraphs (its text is never taken as HTML)."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]
    return "".join("<p>%s</p>" % escape(part).replace("\n", "<br/>") for part in paragraphs)
