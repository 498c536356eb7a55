"""STUB."""

from reference_impl.json_protocol import Response


class S3RestService:
    def __init__(self, model):
        self.model = model

    def handle(self, request, request_id):
        return Response(501, {}, b"")
