"""A patch to pyshacl 0.40, named as one: incomparable values become results, not crashes.

Remove it when pyshacl reports incomparable pairs for ``sh:lessThan(OrEquals)`` itself
(``tests/test_validation.py`` has a case that fails without it).
"""

from __future__ import annotations

from typing import Any

from pyshacl.constraints.core.property_pair_constraints import (
    LessThanConstraintComponent,
    LessThanOrEqualsConstraintComponent,
)

_PATCHED = False


def make_comparisons_total() -> None:
    """Make pyshacl report incomparable values for sh:lessThan(OrEquals) instead of crashing.

    SHACL §4.5.3-4 says a pair of values that cannot be compared is a validation result;
    pyshacl 0.40 instead raises TypeError for pairs rdflib cannot order (two xsd:gYear or
    xsd:gYearMonth literals). ``dsh:DateOrderShape`` only compares day-precise dates, but
    pyshacl evaluates every branch of an ``sh:or``, so the crash must become a result.
    """
    global _PATCHED
    if _PATCHED:
        return
    for component, name in (
        (LessThanOrEqualsConstraintComponent, "_compare_ltoe"),
        (LessThanConstraintComponent, "_compare_lt"),
    ):
        original = getattr(component, name)

        def total(
            self: Any,
            value_nodes: Any,
            compare_values: Any,
            datagraph: Any,
            focus: Any,
            _original: Any = original,
        ) -> tuple[bool, list[Any]]:
            try:
                result: tuple[bool, list[Any]] = _original(
                    self, value_nodes, compare_values, datagraph, focus
                )
                return result
            except TypeError:
                reports = [self.make_v_result(datagraph, focus, value_node=v) for v in value_nodes]
                return True, reports

        setattr(component, name, total)
    _PATCHED = True
