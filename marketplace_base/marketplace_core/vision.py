"""Vision models that describe an item from its photos, for drafting listings.

``VisionProvider`` is the small interface a draft needs: photos and instructions in, one JSON object out.
``OpenAICompatibleProvider`` speaks the chat-completions API (``POST {base_url}/chat/completions``, photos as
``image_url`` content parts holding ``data:`` URLs, ``response_format={"type": "json_object"}``) through the
official ``openai`` package, so a hosted service and a self-hosted model server (vLLM, llama.cpp, Ollama and
the like) work alike: only the base URL, the model and the key differ. ``openai`` is optional: it is imported
when a provider is used, and its absence is a ``VisionError`` with code ``openai_missing``.
"""
import base64
import importlib.util
import json
import re
from dataclasses import dataclass

IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG", "image/png"), (b"GIF8", "image/gif"),
               (b"RIFF", "image/webp"))
SYSTEM_PROMPT = "You describe items for sale from their photos. You answer with one JSON object and nothing else."
FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class VisionError(Exception):
    """A provider could not give an answer: ``code`` says why (``openai_missing``, ``unreachable``,
    ``refused``, ``failed``, ``bad_answer``, ``no_photo``), the message says it for a person."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class VisionSettings:
    """Where a provider is and how to talk to it; an empty key is fine for a server that wants none."""

    base_url: str
    model: str
    api_key: str = ""
    timeout: float = 60.0
    max_images: int = 4


class VisionProvider:
    """A vision model: ``describe`` returns the JSON object the model answered for the photos."""

    def describe(self, images, instructions):
        """``images``: photo bytes (main photo first); ``instructions``: what to answer. Returns a dict."""
        raise NotImplementedError


class OpenAICompatibleProvider(VisionProvider):
    """A model behind an OpenAI-compatible chat-completions API."""

    def __init__(self, settings):
        self.settings = settings

    def describe(self, images, instructions):
        images = [image for image in images if image][:self.settings.max_images]
        if not images:
            raise VisionError("no_photo", "There is no photo to describe.")
        openai = _openai()
        # no retry: a person waits in Odoo's request, which must end within its time limit (120 s by default)
        client = openai.OpenAI(base_url=self.settings.base_url, api_key=self.settings.api_key or "none",
                               timeout=self.settings.timeout, max_retries=0)
        content = [{"type": "text", "text": instructions}]
        content += [{"type": "image_url", "image_url": {"url": data_url(image)}} for image in images]
        try:
            completion = client.chat.completions.create(
                model=self.settings.model, temperature=0, response_format={"type": "json_object"},
                messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}])
        except openai.APIConnectionError as exc:
            raise VisionError("unreachable", "The vision model at %s did not answer: %s"
                              % (self.settings.base_url, exc)) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise VisionError("refused", "The vision model refused the API key: %s" % exc) from exc
        except openai.APIError as exc:
            raise VisionError("failed", "The vision model failed: %s" % exc) from exc
        choices = completion.choices or []
        return parse_answer(choices[0].message.content if choices else None)


def openai_missing():
    """Why the optional ``openai`` package cannot be used here, or None when it is installed (the tests of the
    provider skip with this reason; requirements-optional.txt says why it may be missing)."""
    if importlib.util.find_spec("openai") is None:
        return "openai is not installed (optional: it does not fit every Odoo's pins)"
    return None


def _openai():
    try:
        import openai  # noqa: PLC0415 - optional: the addons install and run without it
    except ImportError as exc:
        raise VisionError("openai_missing", "Drafting from photos needs the Python package 'openai' on the Odoo "
                                            "server (pip install openai).") from exc
    return openai


def data_url(image):
    """A photo as a ``data:`` URL, its type read from its first bytes (JPEG when unknown)."""
    mime = next((kind for signature, kind in IMAGE_TYPES if image.startswith(signature)), "image/jpeg")
    return "data:%s;base64,%s" % (mime, base64.b64encode(image).decode())


def parse_answer(text):
    """The JSON object of a model's answer (a Markdown code fence around it is tolerated)."""
    text = (text or "").strip()
    match = FENCE.match(text)
    if match:
        text = match.group(1)
    try:
        answer = json.loads(text)
    except ValueError as exc:
        raise VisionError("bad_answer", "The vision model did not answer JSON: %s" % text[:200]) from exc
    if not isinstance(answer, dict):
        raise VisionError("bad_answer", "The vision model did not answer a JSON object: %s" % text[:200])
    return answer
