"""The one error the volunteer services raise."""


class ShiftError(ValueError):
    """A refusal with a message fit to show the person and a machine-readable code."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code
