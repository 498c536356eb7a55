"""STS GetCallerIdentity over the AWS query protocol: who the request's credentials are.

The harness asks an endpoint for its account through STS (as it asks a real account, moto and
LocalStack), and the reference maps each access key to an account (reference_impl.accounts);
without this answer a served reference was "an unknown account" to ``audit`` and the endpoint
target. The reference has one identity per account (principals.account_root), so that is the
caller. Every other STS action is refused as the query protocol refuses an unknown action.
"""

from __future__ import annotations

from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from reference_impl.principals import account_root
from reference_impl.wire.http import Request, Response

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
FORM = "application/x-www-form-urlencoded"


def is_query_request(request: Request) -> bool:
    """A form-encoded POST naming an Action: the query protocol (S3 never takes one)."""
    return request.method == "POST" and request.headers.get("content-type", "").startswith(FORM)


def handle(request: Request, request_id: str, account_id: str) -> Response:
    form = parse_qs(request.body.decode("utf-8", "replace"))
    action = (form.get("Action") or [""])[0]
    if action != "GetCallerIdentity":
        message = f"Could not find operation {action[:100]!r}"
        return _error(400, "InvalidAction", message, request_id)
    arn = escape(account_root(account_id))
    body = (
        f'<GetCallerIdentityResponse xmlns="{NAMESPACE}"><GetCallerIdentityResult>'
        f"<Arn>{arn}</Arn><UserId>{account_id}</UserId><Account>{account_id}</Account>"
        f"</GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
        "</ResponseMetadata></GetCallerIdentityResponse>"
    )
    return Response(200, _headers(request_id), body.encode())


def _error(status: int, code: str, message: str, request_id: str) -> Response:
    body = (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId>"
        "</ErrorResponse>"
    )
    return Response(status, _headers(request_id), body.encode())


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}
