"""The commune's rules for pairing party members with households (the ``assign:`` section of
``ngheo.yaml``), apart from the pairing itself so that reading the settings stays light."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class AssignRules:
    """The commune's pairing rules (defaults: seed 001, one member for one household in the
    member's own village, raised evenly up to 3 where households outnumber members)."""

    members_per_household: int = 1
    households_per_member: int = 1
    max_households_per_member: int = 3
    same_village: bool = True
    allow_twinned: bool = True
    include_near_poor: bool = True
    keep_previous: bool = True

    def __post_init__(self) -> None:
        for name in ("members_per_household", "households_per_member", "max_households_per_member"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} phải là số nguyên từ 1 trở lên (đang là {value!r})")
        if self.max_households_per_member < self.households_per_member:
            raise ValueError(
                "max_households_per_member (số hộ tối đa, --cap) phải không nhỏ hơn "
                "households_per_member"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
