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
from collections.abc import Iterable
from dataclasses import dataclass, field

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

def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class Analyser:
    """Turns spaCy docs into :class:`UnitAnalysis` / :class:`PatientAnalysis`."""

    def __init__(self, lemma_table: dict[str, str], kinds: dict[str, str],
                 labels: dict[str, str]):
        self._lemma = lemma_table
        self._kinds = kinds          # pattern id -> kind
        self._labels = labels        # pattern id -> code
        self._content_cache: dict[str, str | None] = {}

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
        lowers: list[str] = []
        for m in _PATIENT_WORD.finditer(text.lower()):
            base, clitic = m.group(1), m.group(2)
            if clitic == "n't" and base.endswith("n"):
                base = base[:-1]  # "don't" -> "do", "can't" -> "ca" as spaCy splits them
            lowers.append(base)
            if clitic:
                lowers.append(clitic)
        lemmas = self._lemmas
        content = set(lemmas(lowers))
        vague: set[str] = set()
        for i, word in enumerate(lowers):
            if word in VAGUE_MARKERS:
                found = lemmas(lowers[i + 1:i + 4])
                if found:
                    vague.add(found[0])
        asks = text.rstrip().endswith("?")
        return PatientAnalysis(frozenset(content), frozenset(vague), len(lowers), asks)

    def unit(self, doc, matches: Iterable[tuple[str, int, int]],
             mapping: list[int] | None = None, length: int | None = None,
             text: str | None = None, rows: list | None = None) -> UnitAnalysis:
        """``mapping``: offsets of the doc's characters in the original text (see
        :func:`strip_disfluencies`); ``length``: the original text's length; ``text``: the
        doc's text when the caller has it (``Doc.text`` rebuilds it from the tokens); ``rows``:
        the tokens' ``IDX, LENGTH, IS_PUNCT, IS_SPACE, IS_TITLE, SENT_START`` values when the
        caller has them (for ``SENT_START`` only whether a value is 1 matters)."""
        # one pass over the tokens' attributes: (text, lower, start, end, punct/space, title case)
        n = len(doc)
        toks: list[Tok] = []
        sent_bounds: list[tuple[int, int]] = []
        if text is None:
            text = doc.text
        if n:
            if rows is None:
                rows = doc.to_array(_TOKEN_ATTRS).tolist()
            begin = 0
            for i, (idx, size, punct, space, title, sent_start) in enumerate(rows):
                word = text[idx:idx + size]
                if mapping is None:
                    s_char, e_char = idx, idx + size
                else:
                    s_char, e_char = mapping[idx], mapping[idx + size - 1] + 1
                toks.append((word, word.lower(), s_char, e_char, bool(punct or space), bool(title)))
                if sent_start == 1 and i:
                    sent_bounds.append((begin, i))
                    begin = i
            sent_bounds.append((begin, n))
        sent_of = [0] * n
        for index, (start, end) in enumerate(sent_bounds):
            for i in range(start, end):
                sent_of[i] = index
        per_sent: list[dict[str, list[Cue]]] = [{} for _ in sent_bounds]
        blocks: list[set[str]] = [set() for _ in sent_bounds]
        covered = [False] * n
        labels = self._labels
        kinds = self._kinds
        for pid, start, end in matches:
            if start >= n:
                continue
            code = labels.get(pid)
            if code is None:
                continue
            kind = kinds.get(pid, "cue")
            index = sent_of[start]
            if kind == "block":
                blocks[index].add(code)
            elif kind == "cue":
                per_sent[index].setdefault(code, []).append((pid, toks[start][2], toks[end - 1][3]))
            if code == _LISTEN and kind != "block":
                for i in range(start, end):
                    covered[i] = True
        sentences = tuple(self._sentence(toks[start:end], per_sent[index], frozenset(blocks[index]))
                          for index, (start, end) in enumerate(sent_bounds))
        n_words = 0
        backchannel_only = True
        for i, tok in enumerate(toks):
            if tok[4]:
                continue
            n_words += 1
            if not covered[i] and tok[1] not in BACKCHANNEL_FILLERS:
                backchannel_only = False
        return UnitAnalysis(length=len(text) if length is None else length,
                            sentences=sentences,
                            backchannel_only=backchannel_only and n_words > 0 and any(covered))

    def _lemmas(self, words: Iterable[str]) -> list[str]:
        lookup = self._content_cache.get
        get = self.content_lemma
        out = []
        for w in words:
            c = lookup(w, 0)
            if c == 0:
                c = get(w)
            if c:
                out.append(c)
        return out

    def _sentence(self, toks: list[Tok], cues: dict[str, list[Cue]],
                  blocks: frozenset[str]) -> Sentence:
        words: list[str] = []
        word_pos: list[int] = []      # index into toks
        titles: list[bool] = []
        has_q = False
        for j, tok in enumerate(toks):
            if "?" in tok[0]:
                has_q = True
            if tok[4]:
                continue
            words.append(tok[1])
            word_pos.append(j)
            titles.append(tok[5])
        s_char = toks[0][2] if toks else 0
        e_char = toks[-1][3] if toks else 0
        i = _skip_fillers(words, 0)
        opener = words[i] if i < len(words) else ""
        after = tuple(words[i + 1:i + 5])
        qi = i
        while qi < len(words) and words[qi] in _QUESTION_LEAD:
            qi = _skip_fillers(words, qi + 1)
        qtype = _qtype(words, qi, has_q)
        decl_words = words
        late_q = False
        if qtype is None and has_q:
            # a late question clause: "Just above the belt, mostly the right, does it travel?"
            late = _late_question(toks, words, word_pos)
            if late is not None:
                qtype, cut = late
                decl_words = words[:cut]
                late_q = True
            elif _tag_question(toks, words, qi):
                qtype = "tag"
            elif not _ANY_POLARITY.isdisjoint(words):
                qtype = "any"   # "So, apart from that, any other problems?" / "No history of asthma?"
            else:
                qtype = "mark"
        all_content = self._lemmas(words)
        content = frozenset(self._lemmas(decl_words)) if late_q else frozenset(all_content)
        has_content = bool(all_content)
        core = [w for w in words if w not in _NOT_CORE]
        narrow = None
        precision = False
        if qtype == "wh" and len(core) <= 8:
            narrow = self._narrow_target(words, qi)
            precision = any(w in PRECISION_WORDS for w in words) or (
                # a bare "Where?" / "Since when?" narrows what was just said
                len(core) <= 2 and not has_content and qi < len(words)
                and words[qi] in ("where", "when", "which", "whereabouts"))
        if qtype is not None and not has_content and not has_q:
            qtype = None  # a fragment: "Do you", "Have you been"
        subject = words[qi + 1] if qtype == "aux" and not late_q and qi + 1 < len(words) else ""
        decl_len = (len([w for w in decl_words if w not in _NOT_CORE]) if late_q else len(core))
        choice = "or" in words[len(decl_words):]
        names_only = 0 < len(titles) <= 3 and all(titles)
        deictic = len(core) <= 2 and any(w in ("here", "there") for w in core)
        return Sentence(start=s_char, end=e_char, qtype=qtype, content=content,
                        core_len=len(core), opener=opener, after_opener=after,
                        narrow_target=narrow, precision=precision, late=late_q,
                        has_content=has_content, subject=subject, names_only=names_only,
                        decl_len=decl_len, choice=choice, deictic=deictic,
                        negated=not _NEGATIONS.isdisjoint(words),
                        cues=cues, blocks=blocks)

    def _narrow_target(self, words: list[str], i: int) -> str | None:
        if i >= len(words) or words[i] not in ("which", "what"):
            return None
        for word in words[i + 1:i + 5]:
            if word in _NARROW_SKIP:
                continue
            return self.content_lemma(word)
        return None


def _skip_fillers(words: list[str], i: int) -> int:
    while i < len(words):
        if i + 1 < len(words) and (words[i], words[i + 1]) in LEADING_PAIRS:
            i += 2
        elif words[i] in LEADING_FILLERS:
            i += 1
        else:
            break
    return i


def _qtype(words: list[str], i: int, has_q: bool) -> str | None:
    if i >= len(words):
        return None
    first = words[i]
    rest = words[i + 1:i + 4]
    nxt = rest[0] if rest else ""
    if first in WH_WORDS:
        if has_q and first in ("when", "whenever") and nxt in _PRONOUN_SUBJECTS | {"the", "your"}:
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


def _tag_question(toks, words: list[str], i: int) -> bool:
    """"..., is that right?": a tag after a comma closing a declarative."""
    body = words[i:]
    texts = [t[0] for t in toks if t[0].strip()]
    while texts and texts[-1] in ("?", ".", "!", "..."):
        texts.pop()
    for tag in TAG_ENDINGS:
        n = len(tag)
        if len(body) > n and tuple(body[-n:]) == tag:
            before = texts[-n - 1] if len(texts) > n else ""
            return before in _CLAUSE_BREAKS
    return False


def _late_question(toks, words: list[str], word_pos: list[int]) -> tuple[str, int] | None:
    """A wh/aux clause after a comma in a sentence ending with "?"; (qtype, first word index)."""
    breaks = {j for j, tok in enumerate(toks) if tok[0] in _CLAUSE_BREAKS}
    for k in range(1, len(words)):
        if word_pos[k] - 1 in breaks or words[k] in ("so", "and"):
            j = _skip_fillers(words, k)
            while j < len(words) and words[j] in _QUESTION_LEAD:
                j = _skip_fillers(words, j + 1)
            qtype = _qtype(words, j, True)
            if qtype in ("wh", "aux", "any"):
                # a tag ("..., is that right?") is not a late question
                if _tag_question(toks, words, 0) and len(words) - j <= 3:
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
    items = evidence.setdefault(code, [])
    if item not in items:
        items.append(item)


def _restating(s: Sentence, ctx: Context) -> tuple[str, int, int] | None:
    """Contextual restating evidence of one non-interrogative sentence, or None."""
    content = s.content
    if not content:
        return None
    overlap = content & ctx.window
    n = len(overlap)
    if n and s.opener in REFLECT_OPENERS and not _advice(s) and not (
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


def decide(unit: UnitAnalysis, ctx: Context) -> Evidence:
    """Codes of one clinician unit with their evidence: code -> [(pattern id, start, end)]."""
    ev: Evidence = {}
    after_question = False   # the previous sentence of this unit was a question
    for s in unit.sentences:
        blocked = s.blocks
        # ---- lexical cues that apply in any sentence
        for code in ("transition", "touch", "empathy", "humour", "listening"):
            if code in blocked:
                continue
            for pid, start, end in _cues(s, code):
                _add(ev, code, pid, start, end)
        # ---- restating: declaratives, declarative questions and tag questions
        restated = False
        restating_cues = []
        if "restating" not in blocked and (not s.interrogative or s.late):
            restating_cues = _cues(s, "restating")
            for pid, start, end in restating_cues:
                _add(ev, "restating", pid, start, end)
                restated = True
            if not restating_cues:
                found = _restating(s, ctx)
                if found:
                    _add(ev, "restating", *found)
                    restated = True
        # ---- questions: clarifying or information gathering
        clarified = False
        if s.question and "clarifying_question" not in blocked:
            found_c = _clarifying(s, ctx, restated, after_question)
            if not found_c and after_question and s.qtype == "mark":
                # "Ache, sharp, burning, something else?" continues the question before it
                after_question = True
                continue
            for pid, start, end in found_c:
                _add(ev, "clarifying_question", pid, start, end)
                clarified = True
            if clarified and s.qtype in ("mark", "tag") and s.opener == "so" and not restated \
                    and "restating" not in blocked and s.has_content:
                # "So you'd like to try the injection?" checks a summary of the patient's words
                _add(ev, "restating", "restating.ctx_so_check", s.start, s.end)
        if "information_gathering" not in blocked and not clarified:
            cues = _cues(s, "information_gathering")
            for pid, start, end in cues:
                _add(ev, "information_gathering", pid, start, end)
            if not cues and _seeks_information(s, ctx):
                _add(ev, "information_gathering",
                     f"information_gathering.ctx_{_QNAMES[s.qtype]}_question", s.start, s.end)
        # ---- education: statements only; pain education takes the sentence from education
        if s.qtype not in ("wh", "aux", "any", "mark"):
            pain = [] if "pain_education" in blocked else _cues(s, "pain_education")
            for pid, start, end in pain:
                _add(ev, "pain_education", pid, start, end)
            if "education" not in blocked:
                # advice in the same sentence stays education; the pain-mechanism words do not
                for pid, start, end in _cues(s, "education"):
                    if not any(start < p_end and p_start < end for _p, p_start, p_end in pain):
                        _add(ev, "education", pid, start, end)
        after_question = s.question
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


#: word -> (lower case without trailing hyphens, is a filler word), filled as words are seen
_WORD_INFO: dict[str, tuple[str, bool]] = {}


def _word_info(word: str) -> tuple[str, bool]:
    low = word.lower().rstrip("-")
    info = (low, _FILLER_WORD.match(low) is not None)
    if len(_WORD_INFO) < 200_000:
        _WORD_INFO[word] = info
    return info


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
    if not out.strip() or not any(ch.isalnum() for ch in out):
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
    info_get = _WORD_INFO.get
    for m in _WORD_RE.finditer(text):
        word = m.group()
        info = info_get(word)
        if info is None:
            info = _word_info(word)
        low = info[0]
        if info[1]:
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

