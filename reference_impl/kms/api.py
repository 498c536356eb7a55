"""STUB."""


class KmsApi:
    def __init__(self, model):
        self.model = model
