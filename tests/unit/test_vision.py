"""The vision provider (marketplace_core/vision.py): its chat-completions contract pinned by a cassette replayed
through the real ``openai`` client, end to end against the local stand-in, and its errors as codes."""
import builtins
import json
import os

import pytest
import vcr

from marketplace_core.vision import (
    OpenAICompatibleProvider,
    VisionError,
    VisionSettings,
    data_url,
    openai_missing,
    parse_answer,
)
from marketplace_core.vision_standin import ChatCompletionsStandIn

# openai is optional (requirements-optional.txt); scripts/test says loudly when it is missing
needs_openai = pytest.mark.skipif(openai_missing() is not None, reason=str(openai_missing()))

CASSETTES_DIR = os.path.join(os.path.dirname(__file__), "cassettes")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
ANSWER = {"title": "Brown leather boots", "brand": "", "size": "42", "item_specifics": {"Color": ["Brown"]}}


def same_chat_request(sent, recorded):
    """The request sent has the recorded one's shape: model, JSON answers, system then user message, a text
    part then ``image_url`` parts holding ``data:`` URLs of the photos' type."""
    sent_body, recorded_body = json.loads(sent.body), json.loads(recorded.body)
    for key in ("model", "response_format", "temperature"):
        assert sent_body[key] == recorded_body[key], key
    assert [m["role"] for m in sent_body["messages"]] == [m["role"] for m in recorded_body["messages"]]
    sent_parts, recorded_parts = sent_body["messages"][1]["content"], recorded_body["messages"][1]["content"]
    assert [part["type"] for part in sent_parts] == [part["type"] for part in recorded_parts]
    assert sent_parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert sent.headers["Authorization"] == recorded.headers["Authorization"]


replay = vcr.VCR(cassette_library_dir=CASSETTES_DIR, record_mode="none",
                 match_on=("method", "uri", "chat_request"))
replay.register_matcher("chat_request", same_chat_request)


@needs_openai
def test_the_documented_completion_replays_through_the_openai_client():
    provider = OpenAICompatibleProvider(VisionSettings("https://api.openai.com/v1", "gpt-4o-mini", "sk-test-key"))
    with replay.use_cassette("vision_chat_completion.yaml") as cassette:
        answer = provider.describe([PNG], "Describe the item.")
    assert cassette.all_played
    assert answer["brand"] == "Nikon" and answer["item_specifics"] == {"Type": ["Digital SLR"]}


@needs_openai
def test_a_self_hosted_server_answers_through_the_same_provider():
    with ChatCompletionsStandIn(ANSWER) as server:
        provider = OpenAICompatibleProvider(VisionSettings(server.base_url, "local-vl", max_images=2))
        assert provider.describe([JPEG, PNG, PNG], "Describe.") == ANSWER
    body = server.requests[0]["body"]
    parts = body["messages"][1]["content"]
    assert body["model"] == "local-vl" and body["response_format"] == {"type": "json_object"}
    assert [part["image_url"]["url"][:22] for part in parts[1:]] == ["data:image/jpeg;base64", "data:image/png;base64,"]
    assert server.requests[0]["authorization"] == "Bearer none", "a server without keys gets a placeholder"


@needs_openai
def test_a_refused_key_is_a_code():
    with ChatCompletionsStandIn(ANSWER, status=401) as server:
        provider = OpenAICompatibleProvider(VisionSettings(server.base_url, "m", "wrong"))
        with pytest.raises(VisionError) as caught:
            provider.describe([PNG], "Describe.")
    assert caught.value.code == "refused"


@needs_openai
def test_an_unreachable_server_is_a_code():
    with ChatCompletionsStandIn(ANSWER) as server:
        base_url = server.base_url
    provider = OpenAICompatibleProvider(VisionSettings(base_url, "m", timeout=2))
    with pytest.raises(VisionError) as caught:
        provider.describe([PNG], "Describe.")
    assert caught.value.code == "unreachable"


def test_without_photos_nothing_is_asked():
    with pytest.raises(VisionError) as caught:
        OpenAICompatibleProvider(VisionSettings("http://127.0.0.1:9", "m")).describe([b""], "Describe.")
    assert caught.value.code == "no_photo"


def test_without_the_openai_package_the_error_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_openai(name, *args, **kwargs):
        if name == "openai":
            raise ImportError("No module named 'openai'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openai)
    with pytest.raises(VisionError) as caught:
        OpenAICompatibleProvider(VisionSettings("http://127.0.0.1:9", "m")).describe([PNG], "Describe.")
    assert caught.value.code == "openai_missing" and "pip install openai" in str(caught.value)


@pytest.mark.parametrize("text", ['{"title": "Lamp"}', '```json\n{"title": "Lamp"}\n```'])
def test_an_answer_is_a_json_object(text):
    assert parse_answer(text) == {"title": "Lamp"}


@pytest.mark.parametrize("text", ["Sorry, I cannot see the photo.", "[1, 2]", None])
def test_anything_else_is_a_bad_answer(text):
    with pytest.raises(VisionError) as caught:
        parse_answer(text)
    assert caught.value.code == "bad_answer"


def test_photos_travel_as_data_urls_of_their_type():
    assert data_url(PNG).startswith("data:image/png;base64,")
    assert data_url(b"unknown").startswith("data:image/jpeg;base64,")
