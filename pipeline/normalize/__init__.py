"""Pure normalization functions: entity text in, canonical value out."""
from .dates import to_iso_date
from .duration import parse_duration
from .numbers import parse_number
from .quantity import parse_quantity
from .strength import parse_strength

__all__ = ["to_iso_date", "parse_duration", "parse_number", "parse_quantity", "parse_strength"]
