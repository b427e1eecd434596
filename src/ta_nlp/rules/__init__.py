"""Rule-based behaviour coding on spaCy.

- :class:`RuleCoder` codes an utterances table (the ``rules`` coder of ``ta-nlp code``);
- :func:`make_nlp` builds its pipeline, ending in the registered component
  ``ta_behaviour_ruler_v1`` (:mod:`ta_nlp.rules.component`);
- :func:`load_patterns` reads and schema-checks the pattern files (``rules/patterns/<code>.jsonl``);
- :mod:`ta_nlp.rules.logic` holds the contextual logic the patterns cannot express.
"""

from __future__ import annotations

from ta_nlp.rules.coder import CODE_FRAME_COLUMNS, RULES_VERSION, RuleCoder
from ta_nlp.rules.component import FACTORY_NAME, BehaviourRuler
from ta_nlp.rules.logic import Context
from ta_nlp.rules.nlp import RULER_NAME, make_nlp
from ta_nlp.rules.patterns import PatternRecord, PatternSet, load_patterns

__all__ = [
    "CODE_FRAME_COLUMNS",
    "FACTORY_NAME",
    "RULER_NAME",
    "RULES_VERSION",
    "BehaviourRuler",
    "Context",
    "PatternRecord",
    "PatternSet",
    "RuleCoder",
    "load_patterns",
    "make_nlp",
]
