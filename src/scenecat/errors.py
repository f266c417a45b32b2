"""One small exception family. The CLI turns each into `Error: ...` (+ `hint: ...`), exit 1
(UsageError: exit 2)."""

from __future__ import annotations


class ScenecatError(Exception):
    """A failure the user can understand and act on."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class NotFound(ScenecatError):
    """A named record does not exist."""


class Ambiguous(ScenecatError):
    """A name matches more than one record."""


class InvalidInput(ScenecatError):
    """A value from the user (flag, argument, file) is not acceptable."""


class UsageError(InvalidInput):
    """A command-line value that is wrong whatever the catalogue holds (an invalid choice, a
    malformed date, a number out of range, options that do not go together): exit 2, as for
    click's own usage errors. A value the catalogue cannot match (no such actor) stays exit 1."""


class Conflict(ScenecatError):
    """The change would clash with data already in the catalogue."""


class CatalogueFileError(InvalidInput):
    """A bad record in an import file; the message names file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = file if line is None else f"{file}:{line}"
        prefix = f"{where}: {field}: " if field else f"{where}: "
        super().__init__(prefix + message, hint)
        self.file = file
        self.line = line
        self.field = field
        self.reason = message


class SchemaError(ScenecatError):
    """The catalogue file cannot be used by this version of scenecat."""
