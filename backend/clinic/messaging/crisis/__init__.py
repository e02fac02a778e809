"""Crisis language in a patient's text. Checked before every other route; a miss can cost a life.

Two layers, in order:

1. The lexicon (lexicon.py): named rules grouped by clinical category, built from vocabulary classes
   (means, acts, times, quantities). A match names its category and the rule's label.
2. The statistical layer (semantic.py), learnt from the labelled corpus: a naive Bayes model over word and
   character n-grams, and the nearest exemplar. A model finding names its probability and the words that
   weighed most; an exemplar finding names the nearest exemplar and its similarity. If the corpus cannot
   load, the service detects with the lexicon alone, logs it once, and says so in `crisis_detector_status()`
   and /readyz.

Both read the text after lexicon.set_aside: someone else's suicide, suicide as a topic, jokes marked as
jokes, idioms and requests to stop texting only borrow the words. A text that is little else is read by the
rules alone.

It errs on the side of flagging: "I'm not suicidal" is flagged, and a clinician decides. It does not flag
figures of speech that only borrow the words ("this traffic is killing me", "dying to come back"), nor
medication and preparation questions, nor a past ideation the patient explicitly says is over ("last year
I wanted to die, now I'm much better": set aside only with a past anchor, an explicit resolution and no
sign that it is back; when in doubt it flags).

Categories and where they come from:
- Columbia Suicide Severity Rating Scale (C-SSRS; Posner et al., Am J Psychiatry 2011;168:1266-77;
  cssrs.columbia.edu): wish to be dead -> `passive_wish`; active ideation, with intent -> `explicit_ideation`;
  method, plan, preparatory behaviour -> `means_plan`, `overdose`; actual, interrupted or aborted attempt
  -> `act_taken`; non-suicidal self-injurious behaviour -> `self_harm`, `self_harm_relapse`.
- PHQ-9 item 9 (Kroenke, Spitzer, Williams, J Gen Intern Med 2001;16:606-13): "thoughts that you would be
  better off dead, or of hurting yourself" -> `passive_wish`, `burden`, `self_harm`.
- 988 Suicide & Crisis Lifeline warning signs (988lifeline.org): talking about wanting to die, feeling
  hopeless or having no reason to live, feeling trapped, being a burden to others, looking for a way (searching
  online, buying a gun, saving pills), saying goodbye, giving away possessions -> `hopelessness`, `burden`,
  `means_plan`, `farewell`.
- Crisis Text Line guidance (crisistextline.org): "I can't keep myself safe", no way out, farewells, asking
  someone to hold one's pills -> `safety`, `hopelessness`, `farewell`.

The labelled corpus (corpus/messages.csv, see corpus.py) is written for this project; `make crisis-eval`
measures both layers on its tuning and held-out parts.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .corpus import CORPUS_PATH, corpus_read
from .lexicon import lexicon_matches, normalize, resolved_past, set_aside
from .semantic import ExemplarIndex, model_threshold, semantic_flag, words_read

logger = logging.getLogger(__name__)

CATEGORY_LABELS = {
    "act_taken": "act already taken",
    "means_plan": "means or plan",
    "overdose": "overdose or medication",
    "safety": "cannot keep safe",
    "farewell": "farewell",
    "explicit_ideation": "suicidal ideation",
    "self_harm_relapse": "self-harm relapse",
    "self_harm": "self-harm",
    "passive_wish": "wish to be dead",
    "burden": "burden statement",
    "hopelessness": "hopelessness, no way out",
    "slang": "slang for suicide or self-harm",
    "negation": "suicide named, even if denied",
    "past_ideation": "past ideation, possibly back",
}
_EXPLAIN_LIMIT = 200
# A text whose crisis words the lexicon set aside as an idiom or someone else's words ("i want to take my life
# back", "my brother's suicide") is read by the statistical layers only if this many words remain besides.
SET_ASIDE_MIN_WORDS = 6


@dataclass(frozen=True)
class CrisisFinding:
    category: str  # e.g. "act_taken", "means_plan", "passive_wish", ...
    layer: str  # "lexicon" or "semantic"
    evidence: str  # the rule's readable label, or the nearest exemplar's text
    score: float | None  # similarity for the semantic layer, None for rules

    def explain(self) -> str:
        """One line a clinician reads on the alert: the category and why."""
        category = CATEGORY_LABELS.get(self.category, self.category.replace("_", " "))
        if self.layer == "lexicon":
            line = f"Crisis language: {category} (rule: {self.evidence})"
        elif self.layer == "model":
            line = (
                f"Crisis language: {category} (model, probability {self.score or 0:.2f}; "
                f"words weighing most: {self.evidence})"
            )
        else:
            head = f"Crisis language: {category} (similar to a known crisis text, score {self.score or 0:.2f}: “"
            room = _EXPLAIN_LIMIT - len(head) - 2
            evidence = self.evidence if len(self.evidence) <= room else self.evidence[: room - 1] + "…"
            line = f"{head}{evidence}”)"
        return line[:_EXPLAIN_LIMIT]


@dataclass(frozen=True)
class _SemanticState:
    index: ExemplarIndex | None
    status: str


_lock = threading.Lock()
_states: dict[str, _SemanticState] = {}


def _semantic_source() -> str:
    return str(getattr(settings, "CRISIS_SEMANTIC_EXEMPLARS", CORPUS_PATH))


def _semantic_state() -> _SemanticState:
    """Load the exemplars once per configured source; a failure is logged once and leaves the lexicon alone."""
    source = _semantic_source()
    state = _states.get(source)
    if state is not None:
        return state
    with _lock:
        state = _states.get(source)
        if state is None:
            state = _semantic_load(source)
            _states[source] = state
    return state


def _semantic_load(source: str) -> _SemanticState:
    if not source:
        return _SemanticState(None, "disabled")
    try:
        exemplars = corpus_read(Path(source))
        index = ExemplarIndex(exemplars)
    except (OSError, ValueError, KeyError) as error:
        reason = f"{type(error).__name__}: {error}"
        logger.error("crisis detector: semantic layer unavailable, detecting with the lexicon only (%s)", reason)
        return _SemanticState(None, f"unavailable: {reason}")
    return _SemanticState(index, f"loaded ({len(index.rows)} exemplars)")


def crisis_detect(text: str) -> CrisisFinding | None:
    """The reason this text may signal a risk of suicide or self-harm, or None."""
    return crisis_detect_excluding(text, exemplar=None)


def crisis_detect_excluding(text: str, *, exemplar: str | None) -> CrisisFinding | None:
    """crisis_detect with one exemplar left out of the semantic layer: measures a corpus text honestly."""
    normalized = normalize(text)
    if not normalized:
        return None
    aside = set_aside(normalized)
    matches = lexicon_matches(aside)
    if matches and not resolved_past(normalized, {rule.category for rule in matches}):
        rule = matches[0]
        return CrisisFinding(category=rule.category, layer="lexicon", evidence=rule.label, score=None)
    if matches:
        return None  # a past ideation the patient says is over: the semantic layer must not bring it back
    if aside != normalized and len(aside.split()) - aside.count("_") < SET_ASIDE_MIN_WORDS:
        return None  # an idiom or someone else's words, and little else: the rules have read it all
    index = _semantic_state().index
    if index is None:
        return None
    crisis, ordinary = index.nearest(text, exclude=exemplar, gated=False)
    if crisis is not None and index.comparable(text) and semantic_flag(crisis, ordinary):
        return CrisisFinding(
            category=crisis.row.category, layer="semantic", evidence=crisis.row.text, score=round(crisis.similarity, 3)
        )
    threshold = model_threshold(words_read(text))
    if threshold > 1 or resolved_past(normalized, {"explicit_ideation"}):
        return None
    probability, cues = index.crisis_probability(text, exclude=exemplar)
    if probability < threshold:
        return None
    return CrisisFinding(
        category=crisis.row.category if crisis is not None else "unspecified",
        layer="model",
        evidence=", ".join(cues),
        score=round(probability, 3),
    )


def crisis_language_in(text: str) -> bool:
    """True if the text contains language that may signal a risk of self-harm."""
    return crisis_detect(text) is not None


def crisis_detector_status() -> dict[str, object]:
    """What the detector runs with: the lexicon always; the semantic layer if its exemplars loaded.

    Builds the detector first if this process has not (a few seconds); /readyz uses
    crisis_detector_readiness, which never waits.
    """
    state = _semantic_state()
    return {
        "lexicon": "ok",
        "semantic": state.status,
        "mode": "lexicon and semantic" if state.index is not None else "lexicon only",
    }


_background_builds: set[str] = set()
_background_lock = threading.Lock()


def crisis_detector_build_in_background() -> None:
    """Start building the detector in a thread, once per process and source, so the first patient text
    need not wait for it (a text that arrives meanwhile waits for the same build)."""
    source = _semantic_source()
    with _background_lock:
        if source in _states or source in _background_builds:
            return
        _background_builds.add(source)
    threading.Thread(target=_semantic_state, name="crisis-detector-build", daemon=True).start()


def crisis_detector_readiness() -> dict[str, object]:
    """crisis_detector_status for /readyz: a probe answers at once, so while the detector is still being
    built it says so (and starts the build if nothing has) instead of waiting for it."""
    if _semantic_source() in _states:
        return crisis_detector_status()
    crisis_detector_build_in_background()
    return {"lexicon": "ok", "semantic": "building", "mode": "building"}
