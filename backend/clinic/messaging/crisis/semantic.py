"""The second layer: a model learnt from the labelled corpus, and the nearest exemplar.

Every text (the corpus's and the patient's) becomes a TF-IDF vector of word unigrams, word pairs and
character 3- to 5-grams taken inside words, after normalising and setting aside the words that only borrow
the vocabulary (lexicon.set_aside). Two readings of that vector:

- the model: multinomial naive Bayes, whose per-class sums are kept so one exemplar can be left out exactly
  (leave-one-out measures the corpus's own texts honestly). It pages at MODEL_THRESHOLD; a short text must
  reach MODEL_THRESHOLD_SHORT, and under MODEL_MIN_WORDS words it is not consulted. The words and word pairs
  that weighed most are the alert's explanation.
- the nearest exemplar: a text is flagged when its nearest crisis exemplar is at least THRESHOLD similar and
  closer than the nearest ordinary text by MARGIN; it also names the category of a model finding.

Why this and not a neural encoder: on texts written apart from the corpus, the bottleneck was coverage of
indirect phrasings (preparations, farewells, absences), which a larger labelled corpus closed for the model
(recall on an unseen set went from 49 % to 94.5 %); a MiniLM encoder in numpy (about 270 ms a text here,
English only, its PyPI package pulls in PyTorch) and WordLlama static embeddings (more false pages) had
added nothing over the lexicon of the time. This layer needs nothing beyond the standard library, builds
in about 2 s from the corpus, and reads a text in under 5 ms. Thresholds come from `bench/crisis_eval.py
--tune` (tuning part leave-one-out, then the held-out part).
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import CorpusRow
from .lexicon import normalize, set_aside

# The nearest exemplar pages alone only when it is this close, and closer than any ordinary text by MARGIN:
# strict, since the model and the lexicon carry recall (a looser 0.45 with margin 0.20 paged for "i dont know
# how i feel").
THRESHOLD = 0.60
MARGIN = 0.05
# One- and two-word texts ("stop", "8", "kms") share too few n-grams to compare: the lexicon decides them.
MIN_WORDS = 3
COMMON_SHARE = 0.05
# A text is compared only if it holds a word that leans to crisis in the exemplars (in at least
# CRISIS_WORD_MIN crisis texts, and at least CRISIS_WORD_SHARE of the texts it is in are crisis texts):
# otherwise a filler word shared with one crisis exemplar ("honestly", "yesterday") could page someone.
CRISIS_WORD_MIN = 3
CRISIS_WORD_SHARE = 0.8
# The model pages at this probability or above; ALPHA smooths its counts (additive smoothing).
MODEL_THRESHOLD = 0.8
# Under SHORT_WORDS words the model must be surer, and under MODEL_MIN_WORDS it does not speak at all: a few
# words give naive Bayes too little to go on ("better i think" shares "better i" with "better if i was gone").
MODEL_THRESHOLD_SHORT = 0.95
SHORT_WORDS = 8
MODEL_MIN_WORDS = 4
ALPHA = 0.05
# Hashed feature slots: 2**20 keeps collisions rare among the corpus's few hundred thousand n-grams.
BUCKETS = 2**20

_WORD = re.compile(r"[a-z]+")
_SCORE_PREFIX = re.compile(r"^\s*(?:score\s*)?\d+(?:[.,]\d+)?\s*(?:/\s*10)?\s*[-.,:)!]*\s*")


def _features(text: str) -> Counter[str]:
    # Idioms and third-party mentions the lexicon sets aside ("cutting myself some slack") are not read here either.
    words = _WORD.findall(set_aside(_SCORE_PREFIX.sub("", normalize(text))))
    features: Counter[str] = Counter()
    for word in words:
        features["w:" + word] += 1
        padded = f" {word} "
        for size in (3, 4, 5):
            for start in range(len(padded) - size + 1):
                features["c:" + padded[start : start + size]] += 1
    for first, second in itertools.pairwise(words):
        features[f"b:{first} {second}"] += 1
    return features


@dataclass(frozen=True)
class Neighbour:
    row: CorpusRow
    similarity: float


class ExemplarIndex:
    """TF-IDF vectors of the exemplars, an inverted index so a query touches only shared features, and the model.

    Features are hashed into BUCKETS slots of compact arrays (a few MiB for thousands of exemplars, where dicts
    keyed by n-gram took over 150 MiB in every process); the rare collision only blurs two n-grams' weights."""

    def __init__(self, exemplars: Iterable[CorpusRow]) -> None:
        self.rows = list(exemplars)
        self.position = {row.text: index for index, row in enumerate(self.rows)}
        counted = [_hashed(_features(row.text)) for row in self.rows]
        document_frequency: Counter[int] = Counter()
        for features in counted:
            document_frequency.update(features.keys())
        total = len(self.rows)
        self.crisis_words = _crisis_words(self.rows)
        self.idf = array("f", bytes(4 * BUCKETS))
        for bucket, df in document_frequency.items():
            self.idf[bucket] = math.log((1 + total) / (1 + df)) + 1
        # A feature in more than COMMON_SHARE of the exemplars (" th", "my") weighs little and would make a
        # query walk most of the index: its postings are dropped, which keeps a query well under a millisecond.
        common = {bucket for bucket, df in document_frequency.items() if df > COMMON_SHARE * total}
        postings: dict[int, list[tuple[int, float]]] = defaultdict(list)
        # The model: multinomial naive Bayes over the same TF-IDF vectors, kept as per-class sums of weight so
        # that one exemplar can be left out exactly (crisis_probability's `exclude`).
        self.class_sums = {True: array("f", bytes(4 * BUCKETS)), False: array("f", bytes(4 * BUCKETS))}
        self.class_docs: Counter[bool] = Counter()
        for index, (row, features) in enumerate(zip(self.rows, counted, strict=True)):
            vector = self._vector(features)
            sums = self.class_sums[row.crisis]
            for bucket, weight in vector.items():
                sums[bucket] += weight
                if bucket not in common:
                    postings[bucket].append((index, weight))
            self.class_docs[row.crisis] += 1
        self.postings = {
            bucket: (array("I", [index for index, _ in pairs]), array("f", [weight for _, weight in pairs]))
            for bucket, pairs in postings.items()
        }
        self.class_totals = {crisis: float(sum(sums)) for crisis, sums in self.class_sums.items()}
        self.vocabulary = len(document_frequency)

    def _vector(self, features: Counter[int]) -> dict[int, float]:
        weighted = {
            bucket: (1 + math.log(count)) * self.idf[bucket] for bucket, count in features.items() if self.idf[bucket]
        }
        norm = math.sqrt(sum(weight * weight for weight in weighted.values())) or 1.0
        return {bucket: weight / norm for bucket, weight in weighted.items()}

    def similarities(self, text: str) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for bucket, weight in self._vector(_hashed(_features(text))).items():
            indexes, weights = self.postings.get(bucket, ((), ()))
            for index, exemplar_weight in zip(indexes, weights, strict=True):
                scores[index] += weight * exemplar_weight
        return scores

    def nearest(
        self, text: str, *, exclude: str | None = None, gated: bool = True
    ) -> tuple[Neighbour | None, Neighbour | None]:
        """The nearest crisis exemplar and the nearest ordinary one (`exclude` leaves one text out).

        Gated (for paging on similarity alone): None for texts too short or without a word that leans to crisis."""
        best: dict[bool, Neighbour] = {}
        if gated and not self.comparable(text):
            return None, None
        for index, similarity in self.similarities(text).items():
            row = self.rows[index]
            if row.text == exclude:
                continue
            current = best.get(row.crisis)
            if current is None or similarity > current.similarity:
                best[row.crisis] = Neighbour(row, similarity)
        return best.get(True), best.get(False)

    def comparable(self, text: str) -> bool:
        """Long enough, and with a word that leans to crisis, for similarity alone to page."""
        words = _WORD.findall(normalize(text))
        return len(words) >= MIN_WORDS and bool(set(words) & self.crisis_words)

    def crisis_probability(self, text: str, *, exclude: str | None = None) -> tuple[float, list[str]]:
        """The model's probability that the text is a crisis text, and the words that weigh most for it.

        `exclude` leaves that exemplar out of the model, exactly: its weights come off the class sums."""
        named = _features(text)
        vector = self._vector(_hashed(named))
        totals, docs = dict(self.class_totals), Counter(self.class_docs)
        left_out: dict[int, float] = {}
        left_out_class = False
        position = self.position.get(exclude) if exclude is not None else None
        if position is not None:
            left_out = self._vector(_hashed(_features(self.rows[position].text)))
            left_out_class = self.rows[position].crisis
            totals[left_out_class] -= sum(left_out.values())
            docs[left_out_class] -= 1
        if not vector or not docs[True] or not docs[False]:
            return 0.0, []

        def log_share(crisis: bool, bucket: int) -> float:
            weight = self.class_sums[crisis][bucket] - (left_out.get(bucket, 0.0) if crisis == left_out_class else 0.0)
            return math.log(max(weight, 0.0) + ALPHA) - math.log(totals[crisis] + ALPHA * self.vocabulary)

        contributions = {
            bucket: weight * (log_share(True, bucket) - log_share(False, bucket)) for bucket, weight in vector.items()
        }
        log_odds = math.log(docs[True] / docs[False]) + sum(contributions.values())
        probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, log_odds))))
        by_name = {feature: contributions.get(_bucket(feature), 0.0) for feature in named}
        return probability, _readable_cues(by_name)


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


def _hashed(features: Counter[str]) -> Counter[int]:
    hashed: Counter[int] = Counter()
    for feature, count in features.items():
        hashed[_bucket(feature)] += count
    return hashed


def _crisis_words(rows: list[CorpusRow]) -> set[str]:
    """Words in at least CRISIS_WORD_MIN crisis exemplars, and in crisis texts for CRISIS_WORD_SHARE of their uses."""
    in_crisis: Counter[str] = Counter()
    in_all: Counter[str] = Counter()
    for row in rows:
        words = set(_WORD.findall(normalize(row.text)))
        in_all.update(words)
        if row.crisis:
            in_crisis.update(words)
    return {
        word
        for word, count in in_crisis.items()
        if count >= CRISIS_WORD_MIN and count / in_all[word] >= CRISIS_WORD_SHARE
    }


def _readable_cues(contributions: dict[str, float], limit: int = 3) -> list[str]:
    """The words and word pairs that pushed hardest toward crisis, for the clinician to read."""
    ranked = sorted(
        (item for item in contributions.items() if item[1] > 0 and item[0][0] in "wb"), key=lambda item: -item[1]
    )
    return [feature[2:] for feature, _ in ranked[:limit]]


def words_read(text: str) -> int:
    """How many words the model reads in the text, once the words that only borrow the vocabulary are set aside."""
    return len(_WORD.findall(set_aside(normalize(text))))


def model_threshold(words: int) -> float:
    """The probability the model must reach to page for a text of this many words (above 1: it does not speak)."""
    if words < MODEL_MIN_WORDS:
        return math.inf
    return MODEL_THRESHOLD_SHORT if words < SHORT_WORDS else MODEL_THRESHOLD


def semantic_flag(
    crisis: Neighbour | None, ordinary: Neighbour | None, *, threshold: float = THRESHOLD, margin: float = MARGIN
) -> bool:
    """True if the nearest crisis exemplar is close enough, and closer than any ordinary text by the margin."""
    if crisis is None or crisis.similarity < threshold:
        return False
    return ordinary is None or crisis.similarity >= ordinary.similarity + margin
