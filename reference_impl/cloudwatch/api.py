"""STUB."""


class CloudWatchApi:
    def __init__(self, model):
        self.model = model
