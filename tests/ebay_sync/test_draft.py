"""The draft checker (sync_core/draft.py): what a catalog or a vision model proposes, held to eBay's limits."""
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_core.draft import (
    CheckedDraft,
    Proposal,
    check_proposal,
    description_html,
    proposal_from_answer,
    proposal_from_catalog,
    vision_instructions,
)
from sync_core.publish import MAX_ASPECT_NAME, MAX_ASPECT_VALUE, MAX_ASPECT_VALUES, MAX_TITLE, AspectSpec

SPECS = (AspectSpec("Brand", required=True), AspectSpec("Model", max_length=20),
         AspectSpec("Color", selection_only=True, multi=True, values=("Black", "White", "Red")),
         AspectSpec("Size", selection_only=True, values=("S", "M", "L")),
         AspectSpec("Features", multi=True))


def dropped_codes(checked):
    return sorted((item.code, item.field) for item in checked.dropped)


def test_fitting_values_pass_and_fields_fill_their_item_specifics():
    checked = check_proposal(Proposal(title=" Canon EOS 250D ", brand="Canon", model="EOS 250D", colour="black",
                                      size="M", condition="used good", condition_notes="Scratch on the back",
                                      aspects={"Features": ["Wi-Fi", "Bluetooth"]}), SPECS, ("NEW", "USED_GOOD"))
    assert checked == CheckedDraft(
        title="Canon EOS 250D", brand="Canon", condition="USED_GOOD", condition_notes="Scratch on the back",
        aspects={"Features": ("Wi-Fi", "Bluetooth"), "Brand": ("Canon",), "Model": ("EOS 250D",),
                 "Color": ("Black",), "Size": ("M",)})


def test_what_fails_is_dropped_and_said():
    checked = check_proposal(Proposal(
        title="x" * (MAX_TITLE + 1), brand="b" * (MAX_ASPECT_VALUE + 1), condition="LIKE_NEW",
        aspects={"Color": ["Space Grey", "Black"], "Size": ["M", "L"], "Model": ["m" * 21], "Weight": ["2 kg"]}),
        SPECS, ("NEW", "USED_GOOD"))
    assert checked.title is None and checked.brand is None and checked.condition is None
    assert checked.aspects == {"Color": ("Black",), "Size": ("M",)}
    assert dropped_codes(checked) == [
        ("aspect_too_many_values", "Size"), ("aspect_unknown", "Weight"), ("aspect_value_not_allowed", "Color"),
        ("aspect_value_too_long", "Model"), ("condition_not_allowed", "condition"), ("too_long", "brand"),
        ("too_long", "title")]


def test_without_a_category_no_item_specific_is_kept():
    checked = check_proposal(Proposal(title="Lamp", aspects={"Color": ["Red"]}), None)
    assert checked.aspects == {}
    assert dropped_codes(checked) == [("category_missing", "Color")]


def test_condition_notes_are_not_kept_for_a_new_item():
    checked = check_proposal(Proposal(condition="New", condition_notes="Mint"), SPECS)
    assert checked.condition == "NEW" and checked.condition_notes is None
    assert dropped_codes(checked) == [("condition_notes_for_new", "condition_notes")]


def test_an_unknown_condition_is_dropped():
    assert dropped_codes(check_proposal(Proposal(condition="pristine"), SPECS)) == [("condition_unknown",
                                                                                      "condition")]


def test_catalog_product_becomes_a_proposal():
    proposal = proposal_from_catalog({
        "epid": "123", "title": "Desk Organizer", "brand": "Acme", "mpn": ["A-1"], "description": "Five boxes.",
        "aspects": [{"localizedName": "Color", "localizedValues": ["White"]}, {"localizedName": " "}],
        "image": {"imageUrl": "https://i.ebayimg.com/1.jpg"}, "additionalImages": [{"imageUrl": "https://i/2"}]})
    assert proposal == Proposal(title="Desk Organizer", brand="Acme", mpn="A-1", description="Five boxes.",
                                aspects={"Color": ["White"]}, epid="123",
                                image_urls=("https://i.ebayimg.com/1.jpg", "https://i/2"))


def test_a_model_answer_becomes_a_proposal():
    proposal = proposal_from_answer({"title": "Boots", "size": 42, "colour": "", "brand": None,
                                     "item_specifics": {"Color": "Brown", "Features": ["Waterproof"]},
                                     "unexpected": "ignored"})
    assert proposal == Proposal(title="Boots", size="42", aspects={"Color": ["Brown"], "Features": ["Waterproof"]})


def test_instructions_name_the_aspects_and_their_allowed_values():
    text = vision_instructions(SPECS, ("NEW", "USED_GOOD"), "Cameras")
    assert '"allowed_values": ["Black", "White", "Red"]' in text
    assert "one of: NEW, USED_GOOD" in text and "eBay category: Cameras" in text


def test_description_text_is_escaped_into_paragraphs():
    assert description_html("Works <b>great</b>\n\nBox & manual") == \
        "<p>Works &lt;b&gt;great&lt;/b&gt;</p><p>Box &amp; manual</p>"


# ---------------------------------------------------------------- properties

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)
values = st.lists(text, max_size=40)
spec = st.builds(AspectSpec, name=st.text(min_size=1, max_size=50).filter(str.strip),
                 selection_only=st.booleans(), multi=st.booleans(),
                 values=st.lists(st.text(min_size=1, max_size=60), max_size=6).map(tuple),
                 max_length=st.integers(1, MAX_ASPECT_VALUE))
specs = st.lists(spec, max_size=6, unique_by=lambda spec: spec.name.casefold()).map(tuple)


@st.composite
def proposals(draw, specs):
    names = [spec.name for spec in specs] + draw(st.lists(text, max_size=3))
    aspects = {draw(st.sampled_from(names)) if names else "x": draw(values) for _ in range(draw(st.integers(0, 6)))}
    return Proposal(title=draw(text), brand=draw(text), model=draw(text), colour=draw(text), size=draw(text),
                    condition=draw(st.one_of(st.none(), text, st.sampled_from(["NEW", "used good", "Like New"]))),
                    aspects=aspects)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_nothing_accepted_exceeds_a_limit(data):
    category = data.draw(specs)
    checked = check_proposal(data.draw(proposals(category)), category)
    by_name = {spec.name: spec for spec in category}
    assert checked.title is None or 0 < len(checked.title) <= MAX_TITLE
    assert checked.brand is None or len(checked.brand) <= MAX_ASPECT_VALUE
    for name, accepted in checked.aspects.items():
        spec = by_name[name]
        assert len(name) <= MAX_ASPECT_NAME
        assert 0 < len(accepted) <= (MAX_ASPECT_VALUES if spec.multi else 1)
        assert len(set(accepted)) == len(accepted)
        for value in accepted:
            assert 0 < len(value) <= min(spec.max_length, MAX_ASPECT_VALUE)
            if spec.selection_only and spec.values:
                assert value in spec.values


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_proposed_value_is_accepted_or_said_dropped(data):
    category = data.draw(specs)
    proposal = data.draw(proposals(category))
    checked = check_proposal(proposal, category)
    for name, proposed in proposal.aspects.items():
        proposed = [value.strip() for value in proposed if value.strip()]
        spec = next((spec for spec in category if spec.name.casefold() == name.strip().casefold()), None)
        accepted = {value.casefold() for value in checked.aspects.get(spec.name, ())} if spec else set()
        said = {item.value.casefold() for item in checked.dropped if item.field in (name.strip(), getattr(
            spec, "name", None))}
        for value in proposed:
            # a dropped item specific says its values joined by "; " (a value may itself hold "; ")
            assert value.casefold() in accepted or any(value.casefold() in text for text in said), (
                name, value, checked)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_single_value_item_specific_never_gets_two_values(data):
    category = tuple(AspectSpec(spec.name, multi=False, values=spec.values, selection_only=spec.selection_only)
                     for spec in data.draw(specs))
    checked = check_proposal(data.draw(proposals(category)), category)
    assert all(len(accepted) == 1 for accepted in checked.aspects.values())
