"""The small model of kinds: TF-IDF over word 1-2 grams and a multinomial logistic regression.

It is trained with scikit-learn (:mod:`comity.extract.train`) on the project's labelled set and
shipped as ``kinds_model.json`` (vocabulary, idf, coefficients, intercepts, classes, the
training set's digest and the model's version), which this module scores with numpy dot
products: nothing of scikit-learn is loaded at run time, and nothing is unpickled.

The text scored is the passage's headline and text without its dateline, with each nation
mention replaced by the token ``xnation``, each news agency by ``xagency`` and each number by
``xnumber`` (:func:`model_text`), so that the model learns how cooperation is written, not which
nations or agencies happen to appear in the labelled passages. To it
are added cue tokens (``xcue_presence``...): one per word of a kind's small lexicon
(:data:`CUES`: "stationed", "rotational" for presence; "handed over", "took delivery" for arms
transfers...) found in the text. A labelled set of a few hundred passages cannot teach every
way a kind is written; the lexicons carry that knowledge, and the model learns how far to trust
each. So do the known programmes a passage names (``xprogramme_exercise`` for "Cobra Gold").
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comity.model.vocabulary import EngagementKind

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "CLASSES",
    "MODEL_FILE",
    "NONE",
    "KindModel",
    "load_model",
    "model_text",
    "ngrams",
]

NONE = "none"
"""The class of passages that describe no engagement."""
CLASSES = tuple(k.value for k in EngagementKind if k is not EngagementKind.MEDIA_EVENT) + (NONE,)
"""What the model chooses from: every kind a passage can describe (media events come from event
data, not from prose), and none."""
MODEL_FILE = "kinds_model.json"

CUES: dict[str, str] = {
    "exercise": r"exercises?|drill(?:s|ed|ing)?|war\s*games?|manoeuvr\w*|maneuver\w*|live-fire|"
    r"amphibious|iteration|interoperability|field\s+training|combined\s+arms|opposing\s+force",
    "education": r"graduat\w*|commencement|alumni|cadets?|student\s+officers?|staff\s+college|"
    r"war\s+college|academy|degrees?|master['’]s|diplomas?|fellows|enrolled|classmates|"
    r"commissioning\s+course|staff\s+course|university|intake",
    "training": r"training|trained|instructors?|exchange|subject-matter|workshop|seminar|"
    r"mobile\s+training\s+team|mentor\w*|pre-deployment|course|curriculum|lessons|taught",
    "research": r"research\w*|co-develop\w*|jointly\s+develop\w*|prototypes?|flight\s+tests?|"
    r"tests?|trials?|experiment\w*|technolog\w*|scientists|laborator\w+|demonstrator|"
    r"maiden\s+flight|development\s+program\w*|intercept\w*",
    "cultural_event": r"parade|ceremon\w+|anniversary|commemorat\w+|memorial\w*|wreaths?|"
    r"bands?|tattoo|festival|concerts?|honou?r\s+guards?|dawn\s+service|celebrat\w+|veterans|"
    r"marched|performances?|spectators|open\s+house",
    "visit": r"visit\w*|met|meeting|talks|counterparts?|called\s+on|dialogue|trip|discussed|"
    r"delegation|hosted|courtesy\s+call|ministerial",
    "port_call": r"port\s+(?:visit|call)s?|arrived\s+(?:in|at)|harbou?r|pier|berth\w*|moor\w*|"
    r"dock\w*|goodwill|anchored|crew|sailors|ship\s+open\s+day|(?:carrier|destroyer|frigate|"
    r"cruiser|submarine|corvette)",
    "peacekeeping": r"peacekeep\w*|UN\s+mission|United\s+Nations\s+(?:Mission|Interim\s+Force|"
    r"Peacekeeping|Multidimensional|Organization\s+Stabilization)|blue\s+helmets|ceasefire|"
    r"buffer\s+zone|protection\s+of\s+civilians|Force\s+Intervention\s+Brigade|"
    r"troop\s+contributor|(?:UNIFIL|MONUSCO|UNMISS|MINUSMA|MINUSCA|UNFICYP|UNDOF|UNISFA)",
    "humanitarian": r"relief|disaster|earthquakes?|typhoon|cyclone|floods?|flooding|tsunami|"
    r"eruption|search\s+and\s+rescue|evacuat\w+|aid|supplies|survivors|victims|hurricane|"
    r"stricken|devastat\w+|humanitarian\s+assistance",
    "outreach": r"civic\s+action|community\s+relations|civic\s+assistance|schools?|children|"
    r"clinics?|patients|medical\s+readiness|donat\w+|volunteer\w*|communit\w+|residents|"
    r"renovat\w+|playground|classrooms?|dental|villagers",
    "agreement": r"signed|agreements?|memorand\w+|MoU|accords?|arrangements?|framework|pact|"
    r"inked|letter\s+of\s+intent",
    "alliance": r"NATO|membership|accession|treaty|alliance|mutual\s+defen[cs]e|armed\s+attack|"
    r"collective\s+defen[cs]e|member\s+states?|aggression\s+against",
    "arms_transfer": r"deliver\w*|handed\s+over|handover|took\s+delivery|received|sale|"
    r"Foreign\s+Military\s+Sales?|purchas\w+|order(?:ed)?|contracts?|batch|transfer\w*|"
    r"Excess\s+Defense\s+Articles|acquisition|(?:tanks|jets|fighters|howitzers|missiles|"
    r"aircraft|helicopters|launchers|systems)\b",
    "presence": r"stationed|based\s+(?:at|in)|garrison|rotation\w*|forward\s+presence|"
    r"battle\s+group|permanent\w*|Bomber\s+Task\s+Force|rotational\s+force|detachment|"
    r"deployment|deployed\s+to|brigade|headquarters|installation",
}
"""Each kind's lexicon, as a regular expression of alternatives (matched case-insensitively,
word-bounded): every word found adds the token ``xcue_<kind>`` to the text the model scores."""
_CUES = [(kind, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for kind, words in CUES.items()]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""scikit-learn's default token pattern: the model's vocabulary was built with it."""
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


def model_text(
    title: str | None,
    text: str,
    masks: Sequence[tuple[int, int, str]] = (),
    start: int = 0,
    programmes: Sequence[str] = (),
) -> str:
    """The text the model scores: headline and text, names and numbers masked, cues added.

    Args:
        title: The passage's headline, if any.
        text: The passage's text.
        masks: (start, end, token) of each span of ``text`` to replace by a token (a nation
            mention by ``xnation``, a news agency by ``xagency``), in order.
        start: Where to begin reading ``text`` (after its dateline).
        programmes: The kind of each known programme the text names ("Cobra Gold": exercise),
            each added as a token ``xprogramme_<kind>``.
    """
    pieces = []
    last = start
    for first, end, token in sorted(masks):
        if first < last:
            continue
        pieces.append(text[last:first])
        pieces.append(f" {token} ")
        last = end
    pieces.append(text[last:])
    body = "".join(pieces)
    cues = " ".join(
        f"xcue_{kind}"
        for kind, pattern in _CUES
        for _ in pattern.finditer(f"{title or ''} {text[start:]}")
    )
    cues += "".join(f" xprogramme_{kind}" for kind in programmes)
    return _NUMBER.sub(" xnumber ", f"{title or ''}\n{body}\n{cues}")


def ngrams(text: str) -> list[str]:
    """Word 1- and 2-grams of ``text``, lower-cased, as scikit-learn's vectoriser makes them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


@dataclass(frozen=True)
class KindModel:
    """A trained model of kinds, scored without scikit-learn.

    Attributes:
        vocabulary: Each n-gram's column.
        idf: Inverse document frequency per column.
        coefficients: One row per class, one column per n-gram.
        intercepts: One per class.
        classes: The classes, in the rows' order.
        version: The model's version.
        training_digest: SHA-256 of the labelled set it was trained on.
    """

    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    coefficients: npt.NDArray[np.float64]
    intercepts: npt.NDArray[np.float64]
    classes: tuple[str, ...]
    version: str
    training_digest: str

    def probabilities(self, text: str) -> dict[str, float]:
        """Each class's probability for ``text`` (a :func:`model_text`)."""
        import numpy as np

        counts = Counter(g for g in ngrams(text) if g in self.vocabulary)
        scores = self.intercepts.copy()
        if counts:
            columns = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64)
            weights = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64)
            weights *= self.idf[columns]
            weights /= np.sqrt(np.dot(weights, weights))
            scores = scores + self.coefficients[:, columns] @ weights
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {name: float(p) for name, p in zip(self.classes, scores, strict=True)}

    def strongest_words(self, text: str, kind: str) -> tuple[int, int] | None:
        """Where ``text`` says most for ``kind``: a word of its lexicon, else its strongest n-gram.

        Args:
            text: The passage's text (as written, not masked).
            kind: One of :attr:`classes`.

        Returns:
            (start, end) of the words in ``text``, or None.
        """
        for name, pattern in _CUES:
            if name == kind:
                cue = pattern.search(text)
                if cue is not None:
                    return cue.span()
        row = self.coefficients[self.classes.index(kind)]
        grams = {g for g in ngrams(text) if g in self.vocabulary}
        ranked = sorted(
            grams, key=lambda g: -row[self.vocabulary[g]] * self.idf[self.vocabulary[g]]
        )
        for gram in ranked[:3]:
            words = r"\W+".join(re.escape(w) for w in gram.split())
            match = re.search(rf"\b{words}\b", text, re.IGNORECASE)
            if match is not None and row[self.vocabulary[gram]] > 0:
                return match.span()
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``kinds_model.json``."""
        return {
            "version": self.version,
            "training_digest": self.training_digest,
            "classes": list(self.classes),
            "vocabulary": self.vocabulary,
            "idf": [round(float(v), 6) for v in self.idf],
            "coefficients": [[round(float(v), 6) for v in row] for row in self.coefficients],
            "intercepts": [round(float(v), 6) for v in self.intercepts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KindModel:
        """Read :meth:`to_dict`'s form."""
        import numpy as np

        return cls(
            vocabulary={str(k): int(v) for k, v in data["vocabulary"].items()},
            idf=np.asarray(data["idf"], dtype=np.float64),
            coefficients=np.asarray(data["coefficients"], dtype=np.float64),
            intercepts=np.asarray(data["intercepts"], dtype=np.float64),
            classes=tuple(data["classes"]),
            version=str(data["version"]),
            training_digest=str(data["training_digest"]),
        )


def model_path() -> Path:
    """Where the shipped model lives (beside this module)."""
    return Path(str(resources.files("comity.extract").joinpath(MODEL_FILE)))


@lru_cache(maxsize=1)
def load_model() -> KindModel | None:
    """The shipped model, or None when none has been trained yet (rules alone then decide)."""
    path = model_path()
    if not path.exists():
        return None
    return KindModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
