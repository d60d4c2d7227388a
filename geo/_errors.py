"""Typed exceptions raised by ``geo``; pages catch them and show their French message."""

from __future__ import annotations


class AtlasError(ValueError):
    """Base class of the expected errors of the Atlas (bad input, unknown code...)."""


class DataValidationError(AtlasError):
    """A dataset or an uploaded file failed validation.

    Every problem found is collected in ``problems`` (French sentences) so that the user
    sees all of them at once rather than one per attempt.
    """

    def __init__(self, dataset: str, problems: list[str]) -> None:
        self.dataset = dataset
        self.problems = list(problems)
        listing = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"Le jeu de données « {dataset} » n'est pas valide :\n{listing}")


class UnknownTerritoryError(AtlasError):
    """A territory code or name does not exist (message in French, with suggestions)."""

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = list(suggestions or [])
        message = f"Territoire inconnu : « {query} »."
        if self.suggestions:
            message += " Vouliez-vous dire : " + ", ".join(self.suggestions) + " ?"
        super().__init__(message)


class InvalidParameterError(AtlasError):
    """A parameter has a value outside the allowed ones."""
