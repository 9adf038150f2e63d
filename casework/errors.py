"""The one refusal staff actions raise; views show its message beside the form."""


class ActionRefused(Exception):
    """The action does not fit the record as it is now; ``message`` says why, in words for staff.

    ``field`` names the form field the message belongs beside, when it is not the form's first.
    """

    field = None

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotPermitted(ActionRefused):
    """The action fits the case, but the person's role may not take it (the API answers 403)."""
