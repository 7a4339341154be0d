"""Schemathesis checks of fairlink's own: every error answer is RFC 9457 problem+json with a
stable `code`, and its `status` field agrees with the HTTP status."""

import json

import schemathesis


@schemathesis.check
def problem_json(ctx, response, case):
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"a {response.status_code} answer is {content_type!r}, not application/problem+json")
    body = json.loads(response.content or b"null")
    if not isinstance(body, dict) or not body.get("code") or body.get("status") != response.status_code:
        raise AssertionError(f"a {response.status_code} problem without a matching status and a code: {body!r}")
    return None
