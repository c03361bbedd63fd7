"""Small shared field types for API schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Deliberately permissive: self-hosted desks use internal domains (.local, .internal) that
# strict validators refuse. Shape is checked here; the service normalises case.
Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=320,
        pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$",
        examples=["user@example.com"],
    ),
]
