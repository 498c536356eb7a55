"""The reference on the wire: everything between bytes and the services' API layers.

- ``http``: the request and response the services see;
- ``routing``: the one app that routes a request to its service (in process and over HTTP);
- ``json_protocol`` (AWS JSON 1.0/1.1) and ``cbor_protocol`` (Smithy RPC v2 CBOR), in front of
  an API layer, with ``validation`` (input checked against the vendored models) and
  ``throttling`` (per-operation call rates);
- ``transport``: botocore's requests handed to the app without a socket;
- ``wsgi`` and ``server``: the app over HTTP; ``control``: the control plane under /_reference/.
"""
