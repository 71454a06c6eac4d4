"""The UN Sustainable Development Goals and their targets (app/data/sdg.csv, the UN's wording in
English and French), read once on first use."""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SDG_FILE = Path(__file__).resolve().parent.parent / "data" / "sdg.csv"
_CODE = re.compile(r"^(\d{1,2})(?:\.([0-9]{1,2}|[a-z]))?$")


@dataclass(frozen=True)
class Sdg:
    code: str  # "10" for a goal, "10.7" for a target
    goal: int
    is_goal: bool
    short_en: str
    short_fr: str
    title_en: str
    title_fr: str

    def short(self, lang: str) -> str:
        """A goal's short name; a target's code and wording."""
        if self.is_goal:
            return self.short_fr if lang == "fr" else self.short_en
        return self.title_fr if lang == "fr" else self.title_en


@cache
def sdgs() -> dict[str, Sdg]:
    with open(SDG_FILE, encoding="utf-8", newline="") as handle:
        rows = [{name: unicodedata.normalize("NFC", value) for name, value in row.items()}
                for row in csv.DictReader(handle)]  # the UN's French comes partly decomposed
    return {row["id"]: Sdg(code=row["id"], goal=int(row["goal"]), is_goal=row["kind"] == "goal",
                           short_en=row["short_en"], short_fr=row["short_fr"], title_en=row["title_en"],
                           title_fr=row["title_fr"])
            for row in rows}


def goals() -> list[Sdg]:
    return [sdg for sdg in sdgs().values() if sdg.is_goal]


def normalise_code(text: str) -> str | None:
    """`10.7`, ` 10.7 `, `SDG 10.7`, `10.A` → `10.7` / `10.a`; None when no such goal or target."""
    cleaned = re.sub(r"^(?:sdg|odd|goal|target|cible|objectif)\s*", "", text.strip().lower()).strip()
    match = _CODE.match(cleaned)
    if match is None:
        return None
    code = match.group(1) if match.group(2) is None else f"{int(match.group(1))}.{match.group(2)}"
    code = str(int(code)) if "." not in code else code
    return code if code in sdgs() else None


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """The codes in a comma- or space-separated list, in order, once each; and what was not one."""
    codes, unknown = [], []
    words = re.sub(r"\b(?:sdgs?|odds?|goals?|targets?|cibles?|objectifs?)\b", " ", text or "", flags=re.IGNORECASE)
    for part in re.split(r"[,;\s]+", words):
        if not part:
            continue
        code = normalise_code(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown
