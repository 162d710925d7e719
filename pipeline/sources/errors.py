"""Errors a source raises when a response is not what the parser expects."""


class SourceFormatError(ValueError):
    """A response that cannot be parsed: the message names the URL and what was expected."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
