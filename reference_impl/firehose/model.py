"""STUB."""


class FirehoseModel:
    def __init__(self, clock, account_id, region, *, kms, kinesis, s3, cloudwatch, settings):
        self.clock = clock

    def at_rest(self):
        return {}
