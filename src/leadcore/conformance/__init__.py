"""
The oracle toolkit: check another implementation of the rules against leadcore.

For QA teams whose CRM backend (Java, TypeScript...) implements the same rules: wire it
to speak the JSON Lines protocol (``docs/protocol.md``) and

* replay the **conformance vectors** shipped inside leadcore (:func:`vectors`), each a
  request and the response the contract fixes, tagged with the rule IDs it
  exercises: ``leadcore conformance run --impl "CMD"`` (:func:`run`);
* **fuzz** it: ``leadcore conformance fuzz --impl "CMD" --seed S --count N``
  (:func:`fuzz`) generates requests, compares the answers with leadcore's, and writes
  every disagreement, shrunk to a minimal case, as a new vector file;
* validate requests and results with the **JSON Schemas** (:func:`schema`,
  :func:`validate`);
* compare answers yourself, rule-aware (:func:`compare`): reason codes (in order where
  the rule text fixes it), sorted id lists in order, unknown keys ignored,
  ``routing.dispatch`` waves judged by legality;
* tell the contract from leadcore's extensions (v1.2 of the rules, :func:`expectation`): result
  keys, reason codes, policy keys and refusals beyond the rulebook are compared only when asked
  to be strict.

See ``docs/qa.md``.

>>> from leadcore import conformance
>>> case = conformance.vectors(["normalize"])[0]
>>> case.rules, case.request["rule"]
(('MRG-1',), 'normalize.phone')
>>> from leadcore import protocol
>>> conformance.compare(case.request, case.expected, protocol.decide(case.request))
()
"""

from __future__ import annotations

from leadcore.conformance._compare import (
    ORDER_FREE_KEYS,
    Judge,
    Mismatch,
    WaveJudge,
    compare,
    default_judges,
)
from leadcore.conformance._contract import (
    EXTENSION_KEYS,
    EXTENSION_REFUSALS,
    SPEC_INPUT_KEYS,
    SPEC_POLICY_FIELDS,
    SPEC_RESULT_KEYS,
    Expectation,
    Refusal,
    expectation,
)
from leadcore.conformance._fuzz import Finding, FuzzReport, fuzz
from leadcore.conformance._ids import PROTOCOL_RULES, RULE_IDS
from leadcore.conformance._process import Implementation, ImplementationError, Reply
from leadcore.conformance._runner import CaseResult, FailureGroup, Report, run, select
from leadcore.conformance._schema import schema, validate
from leadcore.conformance._vectors import (
    Vector,
    VectorError,
    contract_view,
    covered,
    dump,
    load,
    shipped_families,
    vectors,
)

__all__ = [
    "EXTENSION_KEYS",
    "EXTENSION_REFUSALS",
    "ORDER_FREE_KEYS",
    "PROTOCOL_RULES",
    "RULE_IDS",
    "SPEC_INPUT_KEYS",
    "SPEC_POLICY_FIELDS",
    "SPEC_RESULT_KEYS",
    "CaseResult",
    "Expectation",
    "FailureGroup",
    "Finding",
    "FuzzReport",
    "Implementation",
    "ImplementationError",
    "Judge",
    "Mismatch",
    "Refusal",
    "Reply",
    "Report",
    "Vector",
    "VectorError",
    "WaveJudge",
    "compare",
    "contract_view",
    "covered",
    "default_judges",
    "dump",
    "expectation",
    "fuzz",
    "load",
    "run",
    "schema",
    "select",
    "shipped_families",
    "validate",
    "vectors",
]


def __dir__() -> list[str]:
    return list(__all__)
