"""The OpenAPI schema documents every error answer: problem+json, per status code.

A drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``) adds to every
operation the error answers any API view can give (401 without a valid token,
403 for a role without the function, 404 for what does not exist or is not yours,
406, 429; 400 where the operation has parameters or a body; 413 and 415 where it
takes a body; 412 for writes that may carry ``If-Match``), and gives every 4xx
answer the ``application/problem+json`` content with the ``Problem`` schema.
"""

from __future__ import annotations

from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Een fout volgens RFC 9457.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalid-params": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["name", "reason"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

DESCRIPTIONS = {
    "400": "Ongeldig verzoek: ongeldige JSON, te diep genest, of onbekende of ongeldige "
    "velden of queryparameters (per veld in invalid-params).",
    "401": "Niet ingelogd: geen, een ongeldig of een ingetrokken API-token.",
    "403": "Geen toegang tot deze functie voor uw rol.",
    "404": "Bestaat niet, of u heeft er geen toegang toe (hetzelfde antwoord).",
    "406": "Niet acceptabel: vraag application/json.",
    "409": "Conflict met de huidige toestand.",
    "412": "Versieconflict: de versie in If-Match is niet meer de huidige.",
    "413": "Verzoek te groot.",
    "415": "Stuur de gegevens als application/json.",
    "429": "Te veel verzoeken; zie Retry-After.",
}

_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
_WRITES = {"put", "post", "patch", "delete"}


def _codes(method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "403", "404", "406", "429"]
    if operation.get("parameters") or operation.get("requestBody") or method in _WRITES:
        codes.append("400")
    if operation.get("requestBody") or method in ("put", "post", "patch"):
        codes += ["413", "415"]
    if method in _WRITES:
        codes.append("412")
    return codes


def _as_problem(response: dict[str, Any]) -> None:
    content = response.get("content") or {}
    examples: dict[str, Any] = {}
    for media in content.values():
        examples.update(media.get("examples") or {})
    media_type: dict[str, Any] = {"schema": PROBLEM_REF}
    if examples:
        media_type["examples"] = examples
    response["content"] = {PROBLEM_CONTENT_TYPE: media_type}


def add_problem_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: every error answer documented, as problem+json."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation):
                responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                if str(code).startswith("4"):
                    if not response.get("description"):
                        response["description"] = DESCRIPTIONS.get(str(code), "Fout.")
                    _as_problem(response)
    return result
