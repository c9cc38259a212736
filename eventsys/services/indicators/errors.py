"""The refusals of the indicators' services, each with a message for the user."""


class IndicatorError(Exception):
    """A refusal with a message for the user (bad period, locked twice, bad value...)."""


class SourceLinkError(IndicatorError):
    """The source link of a figure is not a web address."""
