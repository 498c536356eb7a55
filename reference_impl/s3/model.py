"""STUB."""


class S3Model:
    def __init__(self, clock):
        self.clock = clock
