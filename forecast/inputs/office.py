"""The workspace's own facts: ``data/workspace.yaml`` (optional).

A planning office names itself once, and every report carries it as its issuing body (编制
单位) on the first page::

    office: 湘潭市科学技术局
    office_en: Xiangtan Municipal Bureau of Science and Technology

Both keys are optional; the English report uses ``office_en``, else ``office``. Unknown
keys are refused (a misspelt ``ofice`` would otherwise vanish without a word).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecast.errors import InputError
from forecast.files import read_yaml
from forecast.inputs.schema import Document, Text, validated

MAX_OFFICE_LENGTH = 200  # characters of a name that a report's first page shows


class OfficeDoc(Document):
    """The keys of data/workspace.yaml (any other is refused by ``read_office``)."""

    office: Text | None = None
    office_en: Text | None = None


@dataclass(frozen=True)
class Office:
    """Who issues the workspace's reports, in Chinese and in English (None when unsaid)."""

    zh: str | None = None
    en: str | None = None

    def name(self, lang: str) -> str | None:
        return self.zh if lang == "zh" else (self.en or self.zh)

    def as_meta(self) -> dict[str, str]:
        return {k: v for k, v in (("office", self.zh), ("office_en", self.en)) if v}


def read_office(path: Path) -> Office:
    """The office of ``data/workspace.yaml``; an empty ``Office`` when the file is absent."""
    if not path.exists():
        return Office()
    raw = read_yaml(path)
    if raw is None:
        return Office()
    if not isinstance(raw, dict):
        raise InputError("workspace.yaml must be a mapping of keys to values", file=path,
                         fix="write e.g. `office: 湘潭市科学技术局`")
    unknown = sorted(str(k) for k in raw if k not in OfficeDoc.model_fields)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r}", file=path, column=unknown[0],
                         fix="the keys are office and office_en")
    doc = validated(OfficeDoc, raw, path)
    names = []
    for key, value in (("office", doc.office), ("office_en", doc.office_en)):
        text = " ".join((value or "").split())  # one line: a title page has no room for more
        if len(text) > MAX_OFFICE_LENGTH:
            raise InputError(f"{key} is {len(text)} characters long", file=path, column=key,
                             fix=f"shorten it to {MAX_OFFICE_LENGTH} characters or fewer")
        names.append(text or None)
    return Office(*names)
