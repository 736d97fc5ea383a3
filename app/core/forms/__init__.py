"""The forms engine: declarative form definitions, validation, practice prompts, chronology."""

from app.core.forms import codelists
from app.core.forms.chronology import ChronologyLine, case_chronology, chronology_line
from app.core.forms.conditions import FieldState, field_state, field_states
from app.core.forms.loader import FormRegistry, load_file, load_registry, scan
from app.core.forms.spec import FIELD_TYPES, Choice, FieldSpec, FormSpec, Prompt, Section
from app.core.forms.types import TYPES, FieldType, field_type
from app.core.forms.validate import (
    PromptHit,
    ValidationContext,
    holds,
    is_empty,
    practice_prompts,
    validate,
    visible,
)

__all__ = [
    "FIELD_TYPES",
    "TYPES",
    "Choice",
    "ChronologyLine",
    "FieldSpec",
    "FieldState",
    "FieldType",
    "FormRegistry",
    "FormSpec",
    "Prompt",
    "PromptHit",
    "Section",
    "ValidationContext",
    "case_chronology",
    "chronology_line",
    "codelists",
    "field_state",
    "field_states",
    "field_type",
    "holds",
    "is_empty",
    "load_file",
    "load_registry",
    "practice_prompts",
    "scan",
    "validate",
    "visible",
]
