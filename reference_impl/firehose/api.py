"""STUB."""


class FirehoseApi:
    def __init__(self, model):
        self.model = model
