from __future__ import annotations

import structlog


def test_a_request_id_is_made_returned_and_bound_to_log_lines(client, db):
    response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    merge = structlog.contextvars.merge_contextvars
    with structlog.testing.capture_logs(processors=[merge]) as logs:
        structlog.get_logger("test").info("probe")
    assert logs[-1]["request_id"] == request_id


def test_a_well_formed_incoming_request_id_is_kept_and_a_malformed_one_replaced(client, db):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-1234-abcd")
    assert kept["X-Request-ID"] == "proxy-1234-abcd"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
    assert replaced["X-Request-ID"].isalnum()
