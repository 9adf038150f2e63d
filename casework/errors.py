"""The one refusal staff actions raise; views show its message beside the form."""


class ActionRefused(Exception):
    """The action does not fit the record as it is now; ``message`` says why, in words for staff."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
