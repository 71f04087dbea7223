"""One hierarchy of errors; each carries its HTTP status and CLI exit code, mapped in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


@dataclass(frozen=True)
class Location:
    """Where bad input sits: a file, a 1-based line and the field at fault."""

    path: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        out = _relative(self.path)
        if self.line is not None:
            out += f":{self.line}"
        return out


class KgError(Exception):
    status = 500
    exit_code = 3

    def __init__(self, message: str, location: Location | None = None):
        self.message = message
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        field = f' field "{self.location.field}":' if self.location.field else ""
        return f"{self.location}:{field} {self.message}"


class InputError(KgError):
    """Bad source or annotation input; nothing is written."""

    status = 400
    exit_code = 2


class SourceError(InputError):
    pass


class AnnotationError(InputError):
    pass


class InputErrors(InputError):
    """Several input errors found in one pass, reported together."""

    def __init__(self, errors: list[KgError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors) + f"\n{len(errors)} error(s)")

    def __str__(self) -> str:
        return self.message


class NotConformant(KgError):
    """The graph violates the shapes; the build refuses to publish it."""

    exit_code = 1

    def __init__(self, report):
        self.report = report
        super().__init__(report.text())


class QuerySyntaxError(KgError):
    status = 400
    exit_code = 2


class BadParameter(KgError):
    status = 400
    exit_code = 2


class ReadOnly(KgError):
    status = 403
    exit_code = 2


class NotFound(KgError):
    status = 404
    exit_code = 2


class Gone(KgError):
    """A resource that existed and was removed for good, such as a retired statement."""

    status = 410
    exit_code = 2


class NotAcceptable(KgError):
    status = 406
    exit_code = 2


class PayloadTooLarge(KgError):
    status = 413
    exit_code = 2


class UnsupportedMediaType(KgError):
    status = 415
    exit_code = 2


class QueryTimeout(KgError):
    status = 503
    exit_code = 3


class StoreUnavailable(KgError):
    status = 503
    exit_code = 3


class WikidataUnavailable(KgError):
    """Wikidata's search API or SPARQL service timed out, failed or answered with an error page."""

    status = 503
    exit_code = 3
