"""Closed word lists the contextual logic of :mod:`ta_nlp.rules.logic` reads.

These are grammar (function words, question words, discourse fillers), not behaviour cues: the
cues live in the pattern files. All entries are lower case token texts as the blank English
tokenizer produces them (``can't`` -> ``ca`` + ``n't``, ``you're`` -> ``you`` + ``'re``).
"""

from __future__ import annotations

#: Question words that open a wh-question.
WH_WORDS: frozenset[str] = frozenset({
    "what", "how", "when", "where", "which", "who", "whom", "whose", "why", "whereabouts",
    "what's", "how's", "where's", "who's", "when's",
})

#: Auxiliaries and modals that open a yes/no question when followed by a subject.
AUX_WORDS: frozenset[str] = frozenset({
    "do", "does", "did", "is", "are", "was", "were", "am", "have", "has", "had", "can", "could",
    "would", "will", "should", "shall", "may", "might", "must",
    "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "haven't", "hasn't",
    "won't", "wouldn't", "can't", "couldn't",
})

#: Words that can be the subject right after an inverted auxiliary ("does IT wake you").
SUBJECT_WORDS: frozenset[str] = frozenset({
    "you", "it", "he", "she", "they", "we", "i", "that", "this", "there", "these", "those",
    "your", "the", "a", "an", "any", "anyone", "anybody", "anything", "someone", "somebody",
    "something", "everything", "everyone", "my", "his", "her", "their", "our", "n't", "not",
    "ya", "u", "y'", "yous", "either", "both", "all", "mum", "dad", "people",
})

#: "any"-words that open elliptic questions ("Any numbness?", "Anything else?").
ANY_WORDS: frozenset[str] = frozenset({"any", "anything", "anyone", "anybody", "anywhere"})

#: Tag questions that close a declarative ("..., is that right?", "..., aren't you?").
TAG_ENDINGS: tuple[tuple[str, ...], ...] = (
    ("is", "that", "right"), ("is", "that", "correct"), ("is", "this", "right"),
    ("that", "right"), ("that", "correct"), ("right",), ("yeah",), ("yes",), ("correct",),
    ("is", "n't", "it"), ("are", "n't", "you"), ("do", "n't", "you"), ("did", "n't", "you"),
    ("did", "n't", "it"), ("does", "n't", "it"), ("have", "n't", "you"), ("was", "n't", "it"),
    ("is", "it"), ("are", "you"), ("do", "you"), ("did", "you"), ("did", "it"), ("does", "it"),
    ("have", "you"), ("was", "it"), ("ca", "n't", "you"), ("can", "you"), ("wo", "n't", "it"),
    ("did", "they"), ("do", "they"), ("is", "he"), ("is", "she"),
)

#: Discourse fillers and acknowledgement tokens skipped before the first real word of a sentence.
LEADING_FILLERS: frozenset[str] = frozenset({
    "um", "uh", "er", "erm", "em", "hmm", "hm", "mm", "mhm", "mmm", "ah", "oh", "eh", "ehm",
    "ok", "okay", "right", "alright", "yeah", "yes", "yep", "yup", "no", "nope", "well", "and",
    "but", "now", "great", "good", "lovely", "perfect", "fine", "sure", "cool", "excellent",
    "brilliant", "thanks", "thank", "then", "also", "just", "fab", "fair", "enough", "huh",
    "sorry", "aha", "ooh", "oof", "gosh", "wow", "nice", "super", "absolutely", "exactly",
    "-", "—", "–", "...", "'", "okey", "kay", "uhm", "umm", "hmmm", "mhmm",
})

#: Two-word fillers skipped like :data:`LEADING_FILLERS` ("I see, so you ...", "You know, ...").
LEADING_PAIRS: frozenset[tuple[str, str]] = frozenset({
    ("i", "see"), ("you", "know"), ("i", "mean"), ("thank", "you"), ("all", "right"),
    ("of", "course"), ("got", "it"), ("fair", "enough"), ("no", "problem"), ("not", "bad"),
})

#: Acknowledgement and filler tokens that carry no content (not counted as words of content).
ACK_WORDS: frozenset[str] = frozenset({
    "um", "uh", "er", "erm", "em", "hmm", "hm", "mm", "mhm", "mmm", "ah", "oh", "eh", "ehm",
    "ok", "okay", "okey", "right", "alright", "yeah", "yes", "yep", "yup", "ya", "no", "nope",
    "well", "great", "good", "lovely", "perfect", "fine", "sure", "cool", "excellent",
    "brilliant", "thanks", "thank", "fab", "huh", "aha", "ooh", "gosh", "wow", "nice", "super",
    "absolutely", "exactly", "indeed", "uhm", "umm", "hmmm", "mhmm", "kay", "see", "so",
    "anyway", "sorry", "pardon", "hello", "hi", "bye", "goodbye", "cheers", "please",
})

#: Function words: never content for the lemma overlap of ``restating``.
FUNCTION_WORDS: frozenset[str] = frozenset({
    # pronouns and determiners
    "i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself", "he", "him", "his",
    "she", "her", "hers", "it", "its", "itself", "we", "us", "our", "ours", "they", "them",
    "their", "theirs", "this", "that", "these", "those", "a", "an", "the", "some", "any",
    "each", "every", "all", "both", "either", "neither", "such", "own", "other", "another",
    "something", "anything", "nothing", "everything", "someone", "anyone", "everyone",
    "somebody", "anybody", "nobody", "one", "ones", "thing", "things", "stuff", "lot", "lots",
    "bit", "kind", "sort", "type", "way", "much", "many", "more", "most", "less", "least",
    "few", "several", "couple", "ya", "y'", "u", "'s", "’s", "'", "s",
    # auxiliaries and very general verbs
    "be", "is", "am", "are", "was", "were", "been", "being", "'m", "'re", "'ve", "'d", "'ll",
    "have", "has", "had", "having", "do", "does", "did", "doing", "done", "can", "ca", "could",
    "will", "wo", "would", "shall", "should", "may", "might", "must", "n't", "not", "get",
    "got", "gets", "getting", "go", "goes", "going", "gone", "went", "gon", "na", "say",
    "said", "tell", "told", "know", "think", "mean", "like", "want", "make", "let", "see",
    "seem", "look", "come", "take", "give", "put", "try", "need", "feel", "happen",
    # prepositions, conjunctions, adverbs of degree and discourse
    "of", "in", "on", "at", "to", "for", "with", "by", "from", "about", "as", "into", "onto",
    "up", "down", "out", "off", "over", "under", "through", "than", "then", "there", "here",
    "and", "or", "but", "if", "so", "because", "cos", "cause", "'cause", "when", "where",
    "what", "which", "who", "whom", "whose", "why", "how", "while", "just", "really", "very",
    "quite", "pretty", "also", "too", "actually", "basically", "literally", "probably",
    "maybe", "perhaps", "even", "still", "already", "yet", "ever", "again", "only", "now",
    "around", "sometimes", "slightly", "little", "kinda", "sorta", "whether", "though",
    "although", "since", "until", "till", "before", "after", "against", "between", "without",
    "within", "across", "along", "anyway", "obviously", "certainly", "definitely", "course",
    "mainly", "mostly", "whatever", "else", "able", "same", "wise", "yes", "yeah", "no", "okay", "ok", "right", "well", "oh", "ah", "um", "uh", "er", "erm",
    "mm", "hmm", "mhm", "fine", "good", "great", "lovely", "perfect", "sure", "thanks",
    "thank", "please", "sorry", "hello", "hi", "bye", "certain", "particular",
    "particularly", "exactly", "absolutely", "alright", "gonna", "wanna", "gotta", "yep",
})

#: Vague quantifiers: a noun right after one is something a clarifying question may narrow.
VAGUE_MARKERS: frozenset[str] = frozenset({
    "some", "few", "couple", "several", "certain", "various", "bits", "odd", "occasional",
    "sometimes", "stuff", "things", "somewhere", "something", "kinda", "sorta",
})

#: Words that ask for precision inside a short question ("Where exactly?").
PRECISION_WORDS: frozenset[str] = frozenset({"exactly", "roughly", "specifically", "precisely"})

#: Openers of a second-person or summarising declarative ("So you ...", "You ...", "Your ...").
REFLECT_OPENERS: frozenset[str] = frozenset({"so", "you", "your", "yours"})

#: Modals of advice or plan after "you": "you should rest" is not a restatement.
ADVICE_MODALS: frozenset[str] = frozenset({
    "should", "need", "needs", "'ll", "will", "must", "might", "may", "could", "can", "'d",
    "would", "want", "wanna", "gotta", "ought", "wo", "have", "gon",
})
#: Modals that describe ability when negated ("you can't lift it"): a restatement may use them.
ABILITY_MODALS: frozenset[str] = frozenset({"can", "ca", "could"})

#: Number words normalised to digits so that "three" in one unit matches "3" in another.
NUMBER_WORDS: dict[str, str] = {  # "one" stays a function word ("the left one")
    "zero": "0", "nought": "0", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
    "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
    "ninety": "90", "hundred": "100", "once": "1x", "twice": "2x",
}

#: Words filling a backchannel unit that are not themselves backchannel cues.
BACKCHANNEL_FILLERS: frozenset[str] = frozenset({
    "um", "uh", "er", "erm", "em", "hmm", "hm", "so", "and", "oh", "ah", "well", "-", "...",
})
