"""The kinds: one clear passage per kind, the rules, and the shipped model's file."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date

import pytest

from comity.extract.draft import Passage
from comity.extract.kinds import CLASSES, NONE, load_model, model_path, model_text, ngrams
from comity.extract.pipeline import extract_passage, model_input
from comity.extract.rules import kind_rule
from comity.extract.train import default_labelled
from comity.model.vocabulary import EngagementKind

PUBLISHED = date(2024, 3, 6)

ONE_PER_KIND = {
    "exercise": "SYDNEY — Australian and Indonesian marines began a two-week combined amphibious "
    "exercise on Monday, practising beach landings and live-fire drills alongside each other's "
    "units.",
    "education": "Officers from Kenya and Ghana graduated on Friday from the Royal College of "
    "Defence Studies in London after a year-long course, earning master's degrees alongside "
    "their British classmates.",
    "training": "A mobile training team from the French Army ran a two-week workshop on "
    "counter-IED procedures for soldiers of the Senegalese Armed Forces in Dakar this month.",
    "research": "Norway and Germany will jointly develop a new submarine-launched missile, the "
    "two defence ministries said on Tuesday, with engineers from both countries sharing "
    "research and flight tests.",
    "cultural_event": "Military bands from Italy and Spain joined the Portuguese Army band for "
    "a commemorative concert and parade in Lisbon on Saturday marking the anniversary of the "
    "armistice.",
    "visit": "HANOI — Japan's defense minister met his Vietnamese counterpart in Hanoi on "
    "Thursday during a two-day visit, and the two discussed maritime security and defense "
    "industry cooperation.",
    "port_call": "The Royal Navy frigate HMS Richmond arrived in Tokyo on Monday for a five-day "
    "port visit, welcoming Japan Maritime Self-Defense Force sailors aboard.",
    "peacekeeping": "About 800 Nepalese peacekeepers deployed to southern Lebanon on Sunday to "
    "join the United Nations Interim Force in Lebanon, replacing a battalion that completed its "
    "rotation.",
    "humanitarian": "Indian Navy ships delivered relief supplies, tents and medicines to Sri "
    "Lanka on Wednesday after floods displaced thousands of families, the navy said.",
    "outreach": "U.S. Marines and Thai soldiers renovated a primary school and held a free "
    "medical and dental clinic for village residents in Chanthaburi, Thailand, last week.",
    "agreement": "Canada and South Korea signed a memorandum of understanding on defence "
    "industry cooperation on Tuesday in Ottawa.",
    "alliance": "Montenegro formally joined NATO on Monday, depositing its instrument of "
    "accession with the U.S. State Department in Washington.",
    "arms_transfer": "The first four F-16 fighters from the Netherlands arrived in Romania on "
    "Thursday, the Romanian defence ministry said, as part of a purchase of 32 second-hand jets.",
    "presence": "About 1,000 U.S. troops are stationed in Poland on a rotational basis at a new "
    "garrison near Poznań, the Pentagon said.",
}


def test_the_passages_cover_every_kind_a_passage_can_describe() -> None:
    assert set(ONE_PER_KIND) == set(CLASSES) - {NONE}
    assert set(CLASSES) == {k.value for k in EngagementKind} - {"media_event"} | {NONE}


@pytest.mark.parametrize("kind", list(ONE_PER_KIND))
def test_a_clear_passage_gets_its_kind(kind: str) -> None:
    draft = extract_passage(Passage(ONE_PER_KIND[kind], published=PUBLISHED))
    assert draft.kind.value == kind
    assert draft.kind.evidence is not None and 0 < draft.kind.evidence.confidence <= 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Sweden formally joined NATO on Thursday.", "alliance"),
        ("North Macedonia became NATO's 30th member on Friday.", "alliance"),
        (
            "The two leaders signed a treaty on Friday that obliges each side to provide "
            "immediate military assistance if the other comes under armed attack.",
            "alliance",
        ),
        (
            "India and the United States signed the Basic Exchange Agreement on Tuesday.",
            "agreement",
        ),
        ("Japan and the Philippines inked a reciprocal access agreement.", "agreement"),
        ("HMAS Anzac made a port visit to Manila.", "port_call"),
        ("A PLA Navy task group arrived for a four-day goodwill visit.", "port_call"),
    ],
)
def test_rules_decide_where_the_words_are_plain(text: str, kind: str) -> None:
    found = kind_rule(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "Ships docked in Darwin for the Kakadu exercise, which began on Monday.",
        "The two signed a project agreement to co-develop a drone.",
        "Austin met the minister to discuss the agreement the two nations signed in May.",
        "The talks turned to an agreement signed in 2016.",
    ],
)
def test_rules_leave_borderline_passages_to_the_model(text: str) -> None:
    assert kind_rule(text) is None


def test_the_model_text_masks_nations_agencies_and_numbers_and_adds_cues() -> None:
    text = "MANILA (PNA) — Filipino troops and 2,000 U.S. Marines stationed at a garrison."
    start = text.index("Filipino")
    marines = text.index("U.S.")
    masks = [
        (start, start + 8, "xnation"),
        (marines, marines + len("U.S. Marines"), "xnation"),
        (8, 11, "xagency"),
    ]
    scored = model_text("Title 2024", text, masks, start)
    assert "MANILA" not in scored and "Marines" not in scored and "2,000" not in scored
    assert scored.count("xnation") == 2 and "xnumber" in scored
    assert scored.split("\n")[-1] == "xcue_presence xcue_presence"
    assert "xagency" in model_text(None, text, masks)


def test_the_model_reads_a_passage_without_its_dateline_and_with_agencies_masked() -> None:
    scored = model_input(Passage("SEOUL (Yonhap) — South Korea's Yonhap said Thai ships came."))
    assert scored.split("\n")[1].split() == [
        "xnation",
        "'s",
        "xagency",
        "said",
        "xnation",
        "ships",
        "came.",
    ]


def test_n_grams_are_those_of_the_vectoriser_the_model_was_trained_with() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    text = "The U.S. and xnation held drills; it's a 2-day drill, the first drills in years."
    analyse = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    assert ngrams(text) == analyse(text)


def test_the_shipped_model_is_json_with_consistent_shapes() -> None:
    data = json.loads(model_path().read_text(encoding="utf-8"))
    assert data["classes"] == list(CLASSES)
    size = len(data["vocabulary"])
    assert sorted(data["vocabulary"].values()) == list(range(size))
    assert len(data["idf"]) == size
    assert [len(row) for row in data["coefficients"]] == [size] * len(CLASSES)
    assert len(data["intercepts"]) == len(CLASSES)
    assert data["version"] and data["training_digest"]


def test_the_shipped_model_was_trained_on_the_current_labelled_set() -> None:
    digest = hashlib.sha256(default_labelled().read_bytes()).hexdigest()
    model = load_model()
    assert model is not None
    assert model.training_digest == digest, "run `make extract-model` to retrain"


def test_scoring_loads_no_part_of_scikit_learn() -> None:
    code = (
        "import sys\nfrom comity.extract.draft import Passage\n"
        "from comity.extract.pipeline import extract_passage\n"
        "extract_passage(Passage('Thai and U.S. troops began Cobra Gold on Monday.'))\n"
        "print(sorted(m for m in ('sklearn', 'joblib', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
