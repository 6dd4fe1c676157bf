"""The pipeline: one draft per passage in input order, in one or more processes; its figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from comity.extract.draft import Draft, Passage
from comity.extract.pipeline import extract_passage, extract_passages, model_version
from comity.extract.scoring import read_labelled, score_drafts

TEXTS = [
    "Thai and U.S. troops opened Cobra Gold on Tuesday with more than 9,000 personnel.",
    "SAN DIEGO — USS Carl Vinson returned to its homeport on Monday.",
    "India and Australia signed a logistics support arrangement on Thursday.",
    "Opinion: the alliance needs a new approach.",
]


def _passages(count: int) -> list[Passage]:
    return [
        Passage(TEXTS[i % len(TEXTS)], published=date(2024, 3, 6), origin=f"news.jsonl:{i + 1}")
        for i in range(count)
    ]


def test_one_draft_per_passage_in_input_order() -> None:
    passages = _passages(4)
    drafts = extract_passages(passages)
    assert [d.passage for d in drafts] == passages
    assert [d.kind.value for d in drafts] == ["exercise", None, "agreement", None]


def test_a_pool_of_processes_gives_the_same_drafts_in_the_same_order() -> None:
    passages = _passages(60)
    done: list[int] = []
    pooled = extract_passages(passages, processes=2, progress=done.append)
    assert [d.to_dict() for d in pooled] == [d.to_dict() for d in extract_passages(passages)]
    assert sum(done) == 60


def test_progress_is_told_of_every_passage_in_one_process() -> None:
    done: list[int] = []
    extract_passages(_passages(3), progress=done.append)
    assert done == [1, 1, 1]


def test_every_draft_records_the_version_of_the_rules_and_model() -> None:
    draft = extract_passage(_passages(1)[0])
    assert draft.model_version == model_version()
    assert model_version().startswith("rules 1; kinds 1 (")


def test_a_draft_reads_back_from_its_json_form() -> None:
    draft = extract_passage(_passages(1)[0])
    data = json.loads(json.dumps(draft.to_dict()))
    assert Draft.from_dict(data).to_dict() == draft.to_dict()


def test_every_evidence_span_quotes_the_passage() -> None:
    for draft in extract_passages(_passages(4)):
        text = draft.passage.text
        fields = [draft.kind, draft.title, draft.host, draft.start, draft.personnel]
        evidence = [f.evidence for f in fields] + [p.evidence for p in draft.participants]
        for item in evidence:
            if item is not None:
                assert text[item.start : item.end] == item.text
                assert 0 <= item.confidence <= 1


def test_scores_compare_drafts_with_their_labels(tmp_path: Path) -> None:
    rows = [
        {
            "id": "x1",
            "text": TEXTS[0],
            "published": "2024-03-06",
            "label": {"kind": "exercise", "participants": ["THA", "USA"], "start": "2024-03-05"},
        },
        {"id": "x2", "text": TEXTS[1], "published": "2024-03-06", "label": {"kind": None}},
        {
            "id": "x3",
            "text": TEXTS[2],
            "published": "2024-03-06",
            "label": {"kind": "visit", "participants": ["AUS", "IND", "USA"], "start": "2024"},
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    labelled = read_labelled(path)
    scores = score_drafts(labelled, extract_passages([item.passage for item in labelled]))
    assert scores.negatives_rejected == 1.0
    assert scores.start_exact == 0.5
    assert (scores.participant_precision, scores.participant_recall) == (1.0, 0.8)
    # exercise and none right, visit missed, agreement proposed wrongly: (1 + 1 + 0 + 0) / 4.
    assert scores.kind_f1 == {"exercise": 1.0, "visit": 0.0, "agreement": 0.0, "none": 1.0}
    assert scores.kind_macro_f1 == 0.5
