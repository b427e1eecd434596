"""The contextual logic of the rule coder: what the pattern files cannot say.

A clinician unit is analysed once (sentences, question type, content lemmas, cue matches; cached by
text), then decided in its context: the content lemmas of the patient's preceding units (a window
of ``window`` patient units), whether the patient speaks next, and laughter around it.

Evidence ids of the contextual decisions (``<code>.ctx_<name>``; documented in docs/codebook.md):

``information_gathering.ctx_wh_question`` / ``ctx_aux_question`` / ``ctx_any_question`` /
``ctx_declarative_question``
    a question (wh-word, auxiliary inversion, "any ..."/"no ...?", rising "?") that is not a check of
    what the patient said, a tag question, a permission/comprehension/admin check, an offer, an
    instruction (the ``block`` patterns of information_gathering.jsonl), a self-question ("am I
    ...?") or a name called out ("Daniel?").
``clarifying_question.ctx_checks_restatement``
    a declarative or tag question that restates, reuses the patient's last words or opens with
    "So ...".
``clarifying_question.ctx_fronted_echo``
    the patient's words fronted before a choice question ("Sharp when you step, a catch or a stab?").
``clarifying_question.ctx_narrows``
    a short wh-question that narrows something the patient just said ("Which fingers?" after
    "some of my fingers"; "Where exactly?").
``restating.ctx_second_person``
    a "So ..." / "You ..." declarative whose content lemmas come mostly from the patient.
``restating.ctx_lemma_overlap``
    a declarative sharing at least three content lemmas (and 60 % of its own) with the patient.
``restating.ctx_echo``
    a short echo ("Twice, OK." / "Left elbow.") whose content words the patient just said (not an
    answer to the patient's own question, not a negation).
``restating.ctx_so_check``
    a "So ...?" check of the patient's words.
``humour.ctx_clinician_laughter`` / ``humour.ctx_patient_laughs_after``
    laughter in the clinician's unit, or the patient's next unit opens with laughter (not after a
    question: patients laugh at their own answers).
``listening.ctx_backchannel``
    a unit made only of backchannels ("Mm-hmm.", "OK.") while the patient keeps the floor (the
    patient speaks next, or the unit overlaps the patient's talk), unless the unit trails off in a
    filler ("OK. Um").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, filterfalse
from operator import itemgetter

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, IS_TITLE, LENGTH, SENT_START

from ta_nlp.rules.lexicon import (
    ABILITY_MODALS,
    ACK_WORDS,
    ADVICE_MODALS,
    ANY_WORDS,
    AUX_WORDS,
    BACKCHANNEL_FILLERS,
    FUNCTION_WORDS,
    LEADING_FILLERS,
    LEADING_PAIRS,
    NUMBER_WORDS,
    PRECISION_WORDS,
    REFLECT_OPENERS,
    SUBJECT_WORDS,
    TAG_ENDINGS,
    VAGUE_MARKERS,
    WH_WORDS,
)

#: Subjects that make an auxiliary-initial sentence a question even without "?".
_PRONOUN_SUBJECTS = frozenset({"you", "it", "he", "she", "they", "we", "i", "that", "this",
                               "there", "anyone", "anybody", "anything", "someone", "ya", "u"})
_CLAUSE_BREAKS = frozenset({",", ";", "-", "—", "–", ":", "..."})
_CONTRACTED_AUX = frozenset({"'s", "'re", "'ve", "'d", "is", "are"})
_QUESTION_LEAD = frozenset({"so", "and", "but", "then", "now", "just", "also"})
_NARROW_SKIP = frozenset({"kind", "sort", "type", "of", "part", "bit", "exactly", "sorts",
                          "kinds", "types", "the", "those", "these"})
_LISTEN = "listening"
# Words that make an elliptic question a request for new information ("Any pain?", "No fevers?")
_NOT_CORE = ACK_WORDS | LEADING_FILLERS
_NEGATIONS = frozenset({"not", "n't", "no", "never"})
# After "So", these open the clinician's own agenda ("So I'd like you to ..."), not a check
_AGENDA_AFTER_SO = frozenset({"i", "we", "let", "what", "how", "if", "now", "just", "next",
                              "then", "today", "first", "basically", "anyway"})
_ANY_POLARITY = frozenset({"any", "anything", "anyone", "anybody", "anywhere", "no"})

# A cue: (pattern id, start char, end char).
Cue = tuple[str, int, int]
_TOKEN_ATTRS = [IDX, LENGTH, IS_PUNCT, IS_SPACE, IS_TITLE, SENT_START]
# A token as the analysis reads it: (text, lower, start char, end char, punct/space, title case).
Tok = tuple[str, str, int, int, bool, bool]


@dataclass(slots=True)
class Sentence:
    """One sentence of a clinician unit, with what the decisions need."""

    start: int
    end: int
    qtype: str | None                  # wh | aux | any | tag | mark | None
    content: frozenset[str]            # content lemmas of the declarative part
    core_len: int                      # words that are not acknowledgements or fillers
    opener: str                        # first word after fillers ("so", "you", ...)
    after_opener: tuple[str, ...]      # the next few words
    narrow_target: str | None          # lemma after "which/what (kind of)" in a short question
    precision: bool                    # "exactly"/"roughly" in a short question
    late: bool = False                 # the question is a late clause after a declarative part
    has_content: bool = False          # any content word in the whole sentence
    subject: str = ""                  # the word after an inverted auxiliary ("do YOU ...")
    decl_len: int = 0                  # core words of the declarative part of a late question
    choice: bool = False               # the question offers alternatives ("X, or Y?")
    names_only: bool = False           # only capitalised words, e.g. a name called out: "Daniel?"
    deictic: bool = False              # "Here?" / "And there?": pointing during an examination
    negated: bool = False              # "not", "n't", "no", "never" in the sentence
    cues: dict[str, list[Cue]] = field(default_factory=dict)   # code -> matches of kind "cue"
    blocks: frozenset[str] = frozenset()

    @property
    def interrogative(self) -> bool:
        return self.qtype in ("wh", "aux", "any")

    @property
    def question(self) -> bool:
        return self.qtype is not None


@dataclass(slots=True)
class UnitAnalysis:
    """A clinician unit, analysed independently of its context (cacheable by text)."""

    length: int
    sentences: tuple[Sentence, ...]
    backchannel_only: bool
    keeps_floor: bool = False      # ends in "um", "so", "and", ",": the clinician goes on


@dataclass(slots=True)
class PatientAnalysis:
    content: frozenset[str]
    vague: frozenset[str]
    n_words: int
    asks: bool = False        # the unit ends with a question ("What if it's a three?")


@dataclass(slots=True)
class Context:
    """What the decisions know about a clinician unit's surroundings."""

    window: frozenset[str] = frozenset()   # content lemmas of the preceding patient units
    last: frozenset[str] = frozenset()     # ... of the most recent patient unit
    vague: frozenset[str] = frozenset()    # nouns the most recent patient unit left vague
    patient_asked: bool = False            # the most recent patient unit was a question
    patient_next: bool = False             # the next unit of the transcript is the patient's
    patient_laughs_next: bool = False      # ... and it opens with laughter
    own_laughter: bool = False             # laughter markup inside this unit
    overlaps_patient: bool = False         # starts before the preceding patient unit ends
    opening: bool = False                  # the patient has hardly spoken yet (greetings, names)


# ---------------------------------------------------------------------------------- analysis

# an alphanumeric character: \w is the characters of str.isalnum() and "_"
_ALNUM = re.compile(r"[^\W_]")


def _is_word(text: str) -> bool:
    return _ALNUM.search(text) is not None


class _LemmaCache(dict):
    """lower-case word -> content lemma or None; a missing word is computed (and kept while the
    cache is not full) by :meth:`Analyser.content_lemma`, so that ``map(cache.__getitem__, ...)``
    looks words up without a Python-level loop."""

    __slots__ = ("compute",)

    def __missing__(self, lower: str) -> str | None:
        return self.compute(lower)


# "here"/"there" are never acknowledgements or fillers: the deictic test may read all words
assert not _NOT_CORE & {"here", "there"}
_NOT_CORE_HAS = _NOT_CORE.__contains__
_BACKCHANNEL_HAS = BACKCHANNEL_FILLERS.__contains__
_NO_BLOCKS: frozenset[str] = frozenset()
_SENT_START_OF = itemgetter(5)
_PAIR_FIRST = frozenset(first for first, _second in LEADING_PAIRS)


class Analyser:
    """Turns spaCy docs into :class:`UnitAnalysis` / :class:`PatientAnalysis`."""

    def __init__(self, lemma_table: dict[str, str], kinds: dict[str, str],
                 labels: dict[str, str]):
        self._lemma = lemma_table
        self._kinds = kinds          # pattern id -> kind
        self._labels = labels        # pattern id -> code
        self._content_cache: dict[str, str | None] = _LemmaCache()
        self._content_cache.compute = self.content_lemma

    # content lemma of one lower-case token text, or None
    def content_lemma(self, lower: str) -> str | None:
        cached = self._content_cache.get(lower, 0)
        if cached != 0:
            return cached
        out: str | None
        if lower in FUNCTION_WORDS or lower in ACK_WORDS or not _is_word(lower):
            out = None
        else:
            word = lower[:-2] if lower.endswith(("'s", "’s")) else lower
            lemma = self._lemma.get(word, word)
            lemma = NUMBER_WORDS.get(lemma, lemma)
            out = None if lemma in FUNCTION_WORDS else lemma
        if len(self._content_cache) < 200_000:
            self._content_cache[lower] = out
        return out

    def patient(self, text: str) -> PatientAnalysis:
        """Content lemmas of a patient unit (a regular-expression tokenizer is enough here)."""
        # The words and their clitics in order. (_PATIENT_WORD's base is greedy and nothing after
        # it can fail, so the regex never gives back a base's last letter: the clitic is never
        # "n't", and a base never needs the "ca" + "n't" trimming of spaCy's split.)
        lowers = list(filter(None, chain.from_iterable(_PATIENT_WORD.findall(text.lower()))))
        getitem = self._content_cache.__getitem__
        content = frozenset(filter(None, map(getitem, lowers)))
        vague: set[str] = set()
        if not VAGUE_MARKERS.isdisjoint(lowers):
            for i, word in enumerate(lowers):
                if word in VAGUE_MARKERS:
                    for found in filter(None, map(getitem, lowers[i + 1:i + 4])):
                        vague.add(found)
                        break
        asks = text.rstrip().endswith("?")
        return PatientAnalysis(content, frozenset(vague), len(lowers), asks)

    def unit(self, doc, matches: Iterable[tuple[str, int, int]],
             mapping: list[int] | None = None, length: int | None = None,
             text: str | None = None, rows: list | None = None) -> UnitAnalysis:
        """``mapping``: offsets of the doc's characters in the original text (see
        :func:`strip_disfluencies`); ``length``: the original text's length; ``text``: the
        doc's text when the caller has it (``Doc.text`` rebuilds it from the tokens); ``rows``:
        the tokens' ``IDX, LENGTH, IS_PUNCT, IS_SPACE, IS_TITLE, SENT_START`` values when the
        caller has them (for ``SENT_START`` only whether a value is 1 matters)."""
        n = len(doc)
        if text is None:
            text = doc.text
        if length is None:
            length = len(text)
        if not n:
            return UnitAnalysis(length, (), False)
        if rows is None:
            rows = doc.to_array(_TOKEN_ATTRS).tolist()
        # the words (tokens that are neither punctuation nor space), lower case
        if text.isascii():   # ASCII lower-casing is per character: slice the lower-cased text
            low = text.lower()
            words = [low[a:a + s] for a, s, p, sp, _t, _ss in rows if not (p or sp)]
        else:
            words = [text[a:a + s].lower() for a, s, p, sp, _t, _ss in rows if not (p or sp)]
        n_words = len(words)
        # sentence starts: token 0 and every later token whose SENT_START is 1
        sent_col = list(map(_SENT_START_OF, rows))
        bounds = [0]
        more = sent_col.count(1) - (sent_col[0] == 1)
        at = 0
        while more > 0:
            at = sent_col.index(1, at + 1)
            bounds.append(at)
            more -= 1
        n_sent = len(bounds)
        per_sent: list[dict[str, list[Cue]]] = [{} for _ in bounds]
        blocks: list[set[str]] | None = None
        listen: list[tuple[int, int]] = []
        labels = self._labels
        kinds = self._kinds
        for pid, start, end in matches:
            if start >= n:
                continue
            code = labels.get(pid)
            if code is None:
                continue
            kind = kinds.get(pid, "cue")
            index = bisect_right(bounds, start) - 1 if n_sent > 1 else 0
            if kind == "block":
                if blocks is None:
                    blocks = [set() for _ in bounds]
                blocks[index].add(code)
            elif kind == "cue":
                s_idx = rows[start][0]
                last = rows[end - 1]
                e_idx = last[0] + last[1]
                if mapping is None:
                    item = (pid, s_idx, e_idx)
                else:
                    item = (pid, mapping[s_idx], mapping[e_idx - 1] + 1)
                per_sent[index].setdefault(code, []).append(item)
            if code == _LISTEN and kind != "block":
                listen.append((start, end))
        sentence = self._sentence
        if n_sent == 1:
            s_idx = rows[0][0]
            last = rows[-1]
            e_idx = last[0] + last[1]
            if mapping is None:
                s_char, e_char = s_idx, e_idx
            else:
                s_char, e_char = mapping[s_idx], mapping[e_idx - 1] + 1
            # tokens cover every character but the single spaces between them
            has_q = text.find("?", s_idx, e_idx) >= 0
            sentences: tuple[Sentence, ...] = (sentence(
                words, has_q, s_char, e_char, per_sent[0],
                frozenset(blocks[0]) if blocks is not None else _NO_BLOCKS, text, rows, 0, n),)
        else:
            out = []
            w_at = 0
            for index, start in enumerate(bounds):
                if index + 1 < n_sent:
                    end = bounds[index + 1]
                    w_end = w_at
                    for _a, _s, p, sp, _t, _ss in rows[start:end]:
                        if not (p or sp):
                            w_end += 1
                else:
                    end = n
                    w_end = n_words
                s_idx = rows[start][0]
                last = rows[end - 1]
                e_idx = last[0] + last[1]
                if mapping is None:
                    s_char, e_char = s_idx, e_idx
                else:
                    s_char, e_char = mapping[s_idx], mapping[e_idx - 1] + 1
                has_q = text.find("?", s_idx, e_idx) >= 0
                out.append(sentence(words[w_at:w_end], has_q, s_char, e_char, per_sent[index],
                                    frozenset(blocks[index]) if blocks is not None
                                    else _NO_BLOCKS, text, rows, start, end))
                w_at = w_end
            sentences = tuple(out)
        backchannel_only = False
        if listen and n_words:
            # every word is a filler or covered by a listening cue; more words that are not
            # fillers than the cues' tokens cannot all be covered
            others = len(list(filterfalse(_BACKCHANNEL_HAS, words)))
            if others <= sum([end - start for start, end in listen if end > start]):
                covered = [False] * n
                for start, end in listen:
                    for i in range(start, end):
                        covered[i] = True
                backchannel_only = True
                word_tokens = [i for i, (_a, _s, p, sp, _t, _ss) in enumerate(rows)
                               if not (p or sp)]
                for i, word in zip(word_tokens, words):
                    if not covered[i] and word not in BACKCHANNEL_FILLERS:
                        backchannel_only = False
                        break
        return UnitAnalysis(length, sentences, backchannel_only)

    def _lemmas(self, words: Iterable[str]) -> list[str]:
        return list(filter(None, map(self._content_cache.__getitem__, words)))

    def _sentence(self, words: list[str], has_q: bool, s_char: int, e_char: int,
                  cues: dict[str, list[Cue]], blocks: frozenset[str], text: str, rows,
                  start: int, end: int) -> Sentence:
        """One sentence: its words (lower case), whether a token holds "?", its character span;
        the unit's ``text`` and token ``rows`` and its tokens ``start:end`` for what few
        sentences need."""
        n_w = len(words)
        i = _skip_fillers(words, 0) if n_w and (words[0] in LEADING_FILLERS
                                                or words[0] in _PAIR_FIRST) else 0
        opener = words[i] if i < n_w else ""
        after = tuple(words[i + 1:i + 5])
        qi = i
        while qi < n_w and words[qi] in _QUESTION_LEAD:
            qi = _skip_fillers(words, qi + 1)
        # (_qtype answers None unless the word is a wh-, auxiliary or "any" word)
        qtype = _qtype(words, qi, has_q) if qi < n_w and words[qi] in _QTYPE_FIRST else None
        decl_words = words
        late_q = False
        if qtype is None and has_q:
            # a late question clause: "Just above the belt, mostly the right, does it travel?"
            texts = []
            word_pos = []   # each word's index in texts
            for j, (a, size, p, sp, _t, _ss) in enumerate(rows[start:end]):
                texts.append(text[a:a + size])
                if not (p or sp):
                    word_pos.append(j)
            late = _late_question(texts, words, word_pos)
            if late is not None:
                qtype, cut = late
                decl_words = words[:cut]
                late_q = True
            elif _tag_question(texts, words, qi):
                qtype = "tag"
            elif not _ANY_POLARITY.isdisjoint(words):
                qtype = "any"   # "So, apart from that, any other problems?" / "No history of asthma?"
            else:
                qtype = "mark"
        getitem = self._content_cache.__getitem__
        all_content = list(filter(None, map(getitem, words)))
        has_content = bool(all_content)
        core_len = len(list(filterfalse(_NOT_CORE_HAS, words)))
        if late_q:
            content = frozenset(filter(None, map(getitem, decl_words)))
            decl_len = len(list(filterfalse(_NOT_CORE_HAS, decl_words)))
            choice = "or" in words[len(decl_words):]
        else:
            content = frozenset(all_content)
            decl_len = core_len
            choice = False
        narrow = None
        precision = False
        if qtype == "wh" and core_len <= 8:
            narrow = self._narrow_target(words, qi)
            precision = not PRECISION_WORDS.isdisjoint(words) or (
                # a bare "Where?" / "Since when?" narrows what was just said
                core_len <= 2 and not has_content and qi < n_w
                and words[qi] in ("where", "when", "which", "whereabouts"))
        if qtype is not None and not has_content and not has_q:
            qtype = None  # a fragment: "Do you", "Have you been"
        subject = words[qi + 1] if qtype == "aux" and not late_q and qi + 1 < n_w else ""
        # only capitalised words (1 to 3 of them)
        names_only = 0 < n_w <= 3 and all(
            t for _a, _s, p, sp, t, _ss in rows[start:end] if not (p or sp))
        deictic = core_len <= 2 and ("here" in words or "there" in words)
        return Sentence(s_char, e_char, qtype, content, core_len, opener, after, narrow,
                        precision, late_q, has_content, subject, decl_len, choice, names_only,
                        deictic, not _NEGATIONS.isdisjoint(words), cues, blocks)

    def _narrow_target(self, words: list[str], i: int) -> str | None:
        if i >= len(words) or words[i] not in ("which", "what"):
            return None
        for word in words[i + 1:i + 5]:
            if word in _NARROW_SKIP:
                continue
            return self.content_lemma(word)
        return None


def _skip_fillers(words: list[str], i: int) -> int:
    n = len(words)
    while i < n:
        if i + 1 < n and (words[i], words[i + 1]) in LEADING_PAIRS:
            i += 2
        elif words[i] in LEADING_FILLERS:
            i += 1
        else:
            break
    return i


_WHEN_SUBJECTS = _PRONOUN_SUBJECTS | {"the", "your"}


_QTYPE_FIRST = WH_WORDS | AUX_WORDS | ANY_WORDS


def _qtype(words: list[str], i: int, has_q: bool) -> str | None:
    if i >= len(words):
        return None
    first = words[i]
    rest = words[i + 1:i + 4]
    nxt = rest[0] if rest else ""
    if first in WH_WORDS:
        if has_q and first in ("when", "whenever") and nxt in _WHEN_SUBJECTS:
            return None  # "When you turn your head, the room spins?": decided by the main clause
        if has_q or first.endswith("'s") or nxt == "about":
            return "wh"
        if first in ("when", "where", "whereabouts"):
            return None  # "When a tendon's been sore ..." opens a statement
        for word in rest:  # an auxiliary before any subject: "what do you", "how long has it"
            if word in AUX_WORDS or word in _CONTRACTED_AUX:
                return "wh"
            if word in _PRONOUN_SUBJECTS:
                return None
        return None
    if first in AUX_WORDS:
        if nxt in _PRONOUN_SUBJECTS or (has_q and nxt in SUBJECT_WORDS):
            return "aux"
        if first.endswith("n't") and has_q:
            return "aux"
        return None
    if first in ("if", "once", "after", "before", "whenever") and has_q:
        return None  # a conditional clause first: the main clause decides
    if first in ANY_WORDS and (has_q or len(words) - i <= 8):
        return "any"
    return None


# TAG_ENDINGS by length, each tag with its rank: the first tag of the list that ends the body wins
_TAG_RANKS: dict[int, dict[tuple[str, ...], int]] = {}
for _rank, _tag in enumerate(TAG_ENDINGS):
    _TAG_RANKS.setdefault(len(_tag), {}).setdefault(_tag, _rank)
_TAG_RANKS_ITEMS = tuple(_TAG_RANKS.items())
del _rank, _tag


def _tag_question(texts: list[str], words: list[str], i: int) -> bool:
    """"..., is that right?": a tag after a comma closing a declarative (``texts``: the token
    texts of the sentence)."""
    n_body = len(words) - i
    best = None   # (rank, length) of the first tag of TAG_ENDINGS that ends the body
    for n, ranks in _TAG_RANKS_ITEMS:
        if n_body > n:
            rank = ranks.get(tuple(words[-n:]))
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, n)
    if best is None:
        return False
    n = best[1]
    texts = [t for t in texts if t.strip()]
    while texts and texts[-1] in ("?", ".", "!", "..."):
        texts.pop()
    before = texts[-n - 1] if len(texts) > n else ""
    return before in _CLAUSE_BREAKS


def _late_question(texts: list[str], words: list[str],
                   word_pos: list[int]) -> tuple[str, int] | None:
    """A wh/aux clause after a comma in a sentence ending with "?"; (qtype, first word index).
    ``texts``: the token texts of the sentence; ``word_pos``: each word's index in them."""
    breaks = {j for j, t in enumerate(texts) if t in _CLAUSE_BREAKS}
    for k in range(1, len(words)):
        if word_pos[k] - 1 in breaks or words[k] in ("so", "and"):
            j = _skip_fillers(words, k)
            while j < len(words) and words[j] in _QUESTION_LEAD:
                j = _skip_fillers(words, j + 1)
            qtype = _qtype(words, j, True)
            if qtype in ("wh", "aux", "any"):
                # a tag ("..., is that right?") is not a late question
                if _tag_question(texts, words, 0) and len(words) - j <= 3:
                    return None
                return qtype, k
    return None


# ---------------------------------------------------------------------------------- decisions

Evidence = dict[str, list[tuple[str, int, int]]]


def _cues(sentence: Sentence, code: str) -> list[Cue]:
    return sentence.cues.get(code, _NONE)


_NONE: list[Cue] = []


def _add(evidence: Evidence, code: str, pid: str, start: int, end: int) -> None:
    item = (pid, start, end)
    items = evidence.get(code)
    if items is None:
        evidence[code] = [item]
    elif item not in items:
        items.append(item)


def _restating(s: Sentence, ctx: Context) -> tuple[str, int, int] | None:
    """Contextual restating evidence of one non-interrogative sentence, or None."""
    content = s.content
    if not content:
        return None
    n = len(content & ctx.window)
    if not n:
        return None   # each decision below needs an overlap with the window
    if s.opener in REFLECT_OPENERS and not _advice(s) and not (
            s.opener == "so" and s.after_opener and s.after_opener[0] in _AGENDA_AFTER_SO) \
            and (n >= 2 or n / len(content) >= 0.5):
        return ("restating.ctx_second_person", s.start, s.end)
    if n >= 3 and n / len(content) >= 0.6:
        return ("restating.ctx_lemma_overlap", s.start, s.end)
    core = s.decl_len if s.late else s.core_len
    if core <= 8 and n and not ctx.patient_asked and not (ctx.opening and s.names_only) \
            and not s.negated \
            and 3 * len(content & (ctx.last or ctx.window)) >= 2 * len(content):
        return ("restating.ctx_echo", s.start, s.end)
    return None


def _advice(s: Sentence) -> bool:
    """"You should/need to/'ll ..." after the opener: advice or plan, not a restatement."""
    words = s.after_opener
    if s.opener == "so" and words and words[0] in ("you", "your"):
        words = words[1:]
    if not words:
        return False
    first = words[0]
    if first in ABILITY_MODALS and len(words) > 1 and words[1] in ("n't", "not"):
        return False
    return first in ADVICE_MODALS


_SENTENCE_CODES = ("transition", "touch", "empathy", "humour", "listening")
_INTERROGATIVE = frozenset({"wh", "aux", "any"})
_NOT_EDUCATION = frozenset({"wh", "aux", "any", "mark"})


def decide(unit: UnitAnalysis, ctx: Context) -> Evidence:
    """Codes of one clinician unit with their evidence: code -> [(pattern id, start, end)]."""
    ev: Evidence = {}
    after_question = False   # the previous sentence of this unit was a question
    for s in unit.sentences:
        blocked = s.blocks
        cues = s.cues
        qtype = s.qtype
        # ---- lexical cues that apply in any sentence
        if cues:
            for code in _SENTENCE_CODES:
                items = cues.get(code)
                if items and code not in blocked:
                    for pid, start, end in items:
                        _add(ev, code, pid, start, end)
        # ---- restating: declaratives, declarative questions and tag questions
        restated = False
        if "restating" not in blocked and (qtype not in _INTERROGATIVE or s.late):
            restating_cues = cues.get("restating") if cues else None
            if restating_cues:
                for pid, start, end in restating_cues:
                    _add(ev, "restating", pid, start, end)
                restated = True
            else:
                found = _restating(s, ctx)
                if found:
                    _add(ev, "restating", *found)
                    restated = True
        # ---- questions: clarifying or information gathering
        clarified = False
        if qtype is not None and "clarifying_question" not in blocked:
            found_c = _clarifying(s, ctx, restated, after_question)
            if not found_c and after_question and qtype == "mark":
                # "Ache, sharp, burning, something else?" continues the question before it
                after_question = True
                continue
            for pid, start, end in found_c:
                _add(ev, "clarifying_question", pid, start, end)
                clarified = True
            if clarified and qtype in ("mark", "tag") and s.opener == "so" and not restated \
                    and "restating" not in blocked and s.has_content:
                # "So you'd like to try the injection?" checks a summary of the patient's words
                _add(ev, "restating", "restating.ctx_so_check", s.start, s.end)
        if "information_gathering" not in blocked and not clarified:
            ig_cues = cues.get("information_gathering") if cues else None
            if ig_cues:
                for pid, start, end in ig_cues:
                    _add(ev, "information_gathering", pid, start, end)
            elif qtype is not None and qtype != "tag" and _seeks_information(s, ctx):
                _add(ev, "information_gathering", _IG_PIDS[qtype], s.start, s.end)
        # ---- education: statements only; pain education takes the sentence from education
        if cues and qtype not in _NOT_EDUCATION:
            pain = [] if "pain_education" in blocked else _cues(s, "pain_education")
            for pid, start, end in pain:
                _add(ev, "pain_education", pid, start, end)
            if "education" not in blocked:
                # advice in the same sentence stays education; the pain-mechanism words do not
                for pid, start, end in _cues(s, "education"):
                    if not any(start < p_end and p_start < end for _p, p_start, p_end in pain):
                        _add(ev, "education", pid, start, end)
        after_question = qtype is not None
    # ---- unit-level context
    if ctx.own_laughter:
        _add(ev, "humour", "humour.ctx_clinician_laughter", 0, unit.length)
    elif ctx.patient_laughs_next and not (unit.sentences and unit.sentences[-1].question):
        # a patient laughing at a question usually laughs at their own answer
        _add(ev, "humour", "humour.ctx_patient_laughs_after", 0, unit.length)
    if unit.backchannel_only and not unit.keeps_floor and (ctx.patient_next or ctx.overlaps_patient):
        # decision rule: a lone "OK" while the patient is mid-story; not "OK. Um" (keeps the floor)
        _add(ev, "listening", "listening.ctx_backchannel", 0, unit.length)
    return ev


def _clarifying(s: Sentence, ctx: Context, restated: bool,
                after_question: bool) -> list[tuple[str, int, int]]:
    """Evidence that a question checks or refines what the patient already said."""
    cues = _cues(s, "clarifying_question")
    if cues:
        return list(cues)
    span = (s.start, s.end)
    if s.qtype in ("mark", "tag") and not after_question:
        # a declarative or tag question checks what was said when it restates, reuses the
        # patient's last words, or ("So you ...?") sums them up
        so_check = s.qtype == "mark" and s.opener == "so" and s.has_content and not (
            s.after_opener and s.after_opener[0] in _AGENDA_AFTER_SO)
        if so_check or restated or (s.content & ctx.last):
            return [("clarifying_question.ctx_checks_restatement", *span)]
    if s.late and s.choice and s.content:
        # a fronted echo refined by a choice: "Sharp when you step down, a catch or a stab?"
        shared = s.content & ctx.last
        if shared and len(shared) * 2 >= len(s.content):
            return [("clarifying_question.ctx_fronted_echo", *span)]
    if s.qtype == "wh" and ((s.narrow_target and (s.narrow_target in ctx.vague or (
            s.core_len <= 4 and s.narrow_target in ctx.last)))
                            or (s.precision and s.core_len <= 6)):
        return [("clarifying_question.ctx_narrows", *span)]
    return []


def _seeks_information(s: Sentence, ctx: Context) -> bool:
    """A question (not a fragment, invitation, tag, self-question or a name called out)."""
    if not s.question or s.qtype == "tag":
        # a tag question ("..., isn't it?") seeks agreement, not new information
        return False
    if not (s.has_content or s.core_len >= 3 or s.qtype == "any" or s.deictic):
        return False  # "Is it?", "Did you?": too little to ask anything
    if _cues(s, _LISTEN):
        return False  # "And then what happened?" invites the patient to go on
    if s.qtype == "aux" and s.subject in ("i", "we"):
        return False  # "Am I in danger?", "Shall we ...": rhetorical or agenda
    # "Daniel?" / "Mr Lewis?" called out at the start is not a question about the patient
    return not (s.qtype == "mark" and s.names_only and ctx.opening)


_QNAMES = {"wh": "wh", "aux": "aux", "any": "any", "mark": "declarative", "tag": "tag"}
_IG_PIDS = {qtype: f"information_gathering.ctx_{name}_question" for qtype, name in _QNAMES.items()}


# ---------------------------------------------------------------------------------- speech

_TRAILING_RE = re.compile(r"(?:\b(?:u+m+|u+h+|e+r+m+|e+r|so|and|but|then|because|cos)\b|,)[\s.…-]*$",
                          re.IGNORECASE)


def keeps_floor(text: str) -> bool:
    """True when a unit trails off in a filler or connective ("OK. Um", "Right, so")."""
    # Only the tail can match. After the word or comma of a match come characters of [\s.…-]
    # up to the end, so the match ends where ``tail`` (the text without those trailing
    # characters) ends, and starts at its last character (a comma) or, for a word, at the start
    # of its last run of word characters (the ``\b`` before it). ``search(text, pos)`` still
    # sees the characters before ``pos`` (for ``\b``), so searching from just before that run
    # answers as the search of the whole text does. (``str.rstrip()`` strips the characters of
    # ``\s``; ``str.isalnum()`` or "_" are those of ``\w``.)
    tail = text
    while True:
        cut = tail.rstrip().rstrip(".…-")
        if len(cut) == len(tail):
            break
        tail = cut
    i = len(tail)
    if not i:
        return False
    while i and (tail[i - 1].isalnum() or tail[i - 1] == "_"):
        i -= 1
    return _TRAILING_RE.search(text, i - 1 if i else 0) is not None


_WORD_RE = re.compile(r"[\w'-]+")
_PATIENT_WORD = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)('s|n't|'re|'ve|'ll|'d|'m|’s)?")
_FILLER_WORD = re.compile(r"(?:u+m+|u+h+|e+r+m+|e+r|u+h+m+|e+h+m+)$", re.IGNORECASE)
_GAP_RE = re.compile(r"[,…-]*\s+$")
_LAUGH_WORDS = frozenset({"ha", "hah", "he", "heh", "hee", "ho"})   # "ha ha" is not a stutter
# a cheap first look: a filler word, or a word said twice in a row
# (the lookbehind is shared by both branches; the quantifiers are possessive because giving back
# characters can never lead to a match: the next character would be a word character where a
# separator or space is needed, so the answer is that of the plain greedy pattern, only sooner)
_MAYBE_DISFLUENT = re.compile(r"(?<![\w'-])(?:(?:u+[mh]+m*|e+r+m*|e+h+m+)(?![\w'-])"
                              r"|([\w']++)-?[,…-]*+\s++\1(?![\w'-]))", re.IGNORECASE)


class _WordInfo(dict):
    """word -> its lower case without trailing hyphens, or None for a filler word; a missing
    word is computed (and kept while there is room)."""

    __slots__ = ()

    def __missing__(self, word: str) -> str | None:
        low = word.lower().rstrip("-")
        info = None if _FILLER_WORD.match(low) else low
        if len(self) < 200_000:
            self[word] = info
        return info


_WORD_INFO = _WordInfo()


def strip_disfluencies(text: str) -> tuple[str, list[int] | None]:
    """Drop fillers ("um", "uh", "erm") and immediate word repeats ("I, I think").

    Returns the shorter text and, for each of its characters (plus one past the end), the offset
    of that character in ``text``; ``None`` when nothing changed. Cue patterns then match across
    disfluencies, and evidence offsets map back into the original ``clean_text``.
    """
    if not _MAYBE_DISFLUENT.search(text):
        return text, None
    drop = _drops(text)
    if not drop:
        return text, None
    # the kept characters: the complement of the (possibly overlapping) dropped ranges
    pieces: list[str] = []
    mapping: list[int] = []
    at = 0
    for start, end in sorted(drop):
        if start > at:
            pieces.append(text[at:start])
            mapping.extend(range(at, start))
        at = max(at, end)
    if at < len(text):
        pieces.append(text[at:])
        mapping.extend(range(at, len(text)))
    out = "".join(pieces)
    if not out.strip() or _ALNUM.search(out) is None:
        return text, None
    # a dropped sentence-initial filler leaves a lower-case start; that is fine for matching
    mapping.append(len(text))
    return out, mapping


def _filler_drop(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The characters a filler word at ``start:end`` takes with it; None when it is glued."""
    # "you, um, stand" -> "you stand": the comma before goes too
    left = start
    while left > 0 and text[left - 1] == " ":
        left -= 1
    if left > 0 and text[left - 1] == ",":
        left -= 1
    elif left == start and start > 0 and not text[start - 1].isspace():
        return None  # glued to something else: not a filler word
    right = end
    while right < len(text) and text[right] in ",…":
        right += 1
    if text.startswith("...", right):
        right += 3
    # "... check. Um. How's" -> "... check. How's": the filler's own full stop goes too
    if right < len(text) and text[right] in ".?!" and text[:left].rstrip()[-1:] in (".", "?", "!"):
        right += 1
    return left, right


def _drops(text: str) -> list[tuple[int, int]]:
    """The ranges :func:`strip_disfluencies` drops: word by word."""
    drop: list[tuple[int, int]] = []
    prev = None           # the match of the previous word that is not a filler
    prev_low = None       # ... and its lower-case text without trailing hyphens
    info = _WORD_INFO
    for m in _WORD_RE.finditer(text):
        low = info[m[0]]
        if low is None:   # a filler word
            found = _filler_drop(text, *m.span())
            if found is not None:
                drop.append(found)
            continue
        if low == prev_low and low and low not in _LAUGH_WORDS:
            start = m.start()
            if _GAP_RE.match(text, prev.end(), start):
                drop.append((prev.start(), start))  # "I, I think" / "I- I think" -> "I think"
        prev = m
        prev_low = low
    return drop
