"""STUB."""


class KinesisModel:
    def __init__(self, clock, account_id, region, kms):
        self.clock = clock

    def at_rest(self):
        return {}
