"""STUB."""


class KinesisApi:
    def __init__(self, model):
        self.model = model
