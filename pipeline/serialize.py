"""Serialization shared by components whose only state is a JSON document of rules."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, Optional, Union

import srsly
from spacy.util import ensure_path


class JsonDataMixin:
    """to/from bytes and disk for a component holding ``self.data`` (set by ``set_data``)."""

    data_filename: str = "data.json"
    data: Optional[Dict] = None

    def set_data(self, data: Dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.json_dumps(self.data or {}).encode("utf8")

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()):
        data = srsly.json_loads(bytes_data)
        if data:
            self.set_data(data)
        return self

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / self.data_filename, self.data or {})

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()):
        data = srsly.read_json(ensure_path(path) / self.data_filename)
        if data:
            self.set_data(data)
        return self
