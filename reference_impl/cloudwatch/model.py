"""STUB."""


class CloudWatchModel:
    def __init__(self, clock):
        self.clock = clock
