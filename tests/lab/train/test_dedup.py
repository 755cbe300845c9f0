"""Evaluation texts stay out of intent training: the dedup step on its own, and the shipped data/nlu checked against
SIMMC 2.1 dev and the Bitext sample (skipped, saying why, where ../shared/data is absent)."""

from __future__ import annotations

from core.settings import DATA_DIR
from dialogue.nlu_data import NluDataset, NluExample, load_nlu
from lab.train.dedup import (
    BITEXT,
    NEAR_JACCARD,
    SIMMC_DEV,
    OverlapIndex,
    ReferenceText,
    evaluation_texts,
    find_overlap,
    jaccard,
    normalise,
    remove_overlap,
    token_set,
)
from tests.conftest import shared_data


def refs(*texts: str) -> list[ReferenceText]:
    return [ReferenceText(text=t, source=f"ref:{i}") for i, t in enumerate(texts)]


def data(*texts: str) -> NluDataset:
    return NluDataset(examples=[NluExample(text=t, intent="x", source=f"f.yml:{i}") for i, t in enumerate(texts)])


def test_normalise_drops_case_punctuation_placeholders_and_numbers() -> None:
    assert normalise("  What's the STATUS of order {{Order Number}}?!") == "whats the status of order <slot>"
    assert normalise("cancel order 00123842") == normalise("Cancel order 113542617735902.")
    assert token_set("Add it, add it!") == frozenset({"add", "it"})


def test_normalise_keeps_chinese_characters() -> None:
    assert normalise("退货政策是什么？") == "退 货 政 策 是 什 么"
    assert normalise("我的订单 #48214 到哪了") == normalise("我的订单48215到哪了！")
    assert normalise("退货政策是什么") != normalise("运费怎么算")
    assert jaccard(frozenset("abcd"), frozenset("abce")) == 3 / 5


def test_exact_and_near_copies_are_found_and_different_texts_are_not() -> None:
    found = find_overlap(data("Add them both to my cart!", "let's put that grey one in my cart with the black one",
                              "show me the red one", "what else have you got"),
                         refs("add them both to my cart.", "Let's put that grey one in my cart along with the black one.",
                              "show me the blue one"))
    assert [(o.text, o.exact) for o in found] == [("Add them both to my cart!", True),
                                                   ("let's put that grey one in my cart with the black one", False)]
    assert found[1].jaccard >= NEAR_JACCARD and found[1].match_source == "ref:1"


def test_prefix_index_finds_exactly_what_all_pairs_find() -> None:
    words = ["add", "the", "grey", "coat", "to", "my", "cart", "please", "now", "jacket"]
    texts = [" ".join(words[i] for i in range(len(words)) if mask >> i & 1) for mask in range(1, 1 << len(words), 7)]
    index = OverlapIndex(refs(*texts[::3]))
    for text in texts[1::3]:
        brute = max((jaccard(token_set(text), token_set(r)) for r in texts[::3]), default=0.0)
        match = index.best_match(text)
        assert (match is not None) == (brute >= NEAR_JACCARD), text
        if match is not None:
            assert abs(match[1] - brute) < 1e-9


def test_remove_overlap_drops_copies_and_reports_them() -> None:
    kept, report = remove_overlap(data("do you ship to canada", "hello there"), refs("Do you ship to Canada?"), {"x": "y"})
    assert [e.text for e in kept.examples] == ["hello there"]
    assert report.checked and report.exact == 1 and report.near == 0 and report.removed[0].source == "f.yml:0"
    untouched, skipped = remove_overlap(data("a", "b"), [], {})
    assert len(untouched.examples) == 2 and not skipped.checked


def test_shipped_nlu_data_has_no_copy_of_simmc_dev_or_bitext_texts() -> None:
    """Zero-shot means zero-shot: data/nlu holds no text that matches a SIMMC 2.1 dev user turn or a Bitext
    instruction exactly or with token Jaccard >= 0.8 after normalisation. A failure lists the copies to remove."""
    assert shared_data("simmc2", SIMMC_DEV.name) == SIMMC_DEV
    assert shared_data("bitext-customer-support", BITEXT.name) == BITEXT
    references, sources = evaluation_texts()
    assert set(sources) == {"simmc2.1-dev", "bitext"} and len(references) > 8000
    copies = find_overlap(load_nlu(DATA_DIR / "nlu"), references)
    assert not copies, "\n".join(f"{o.source}: {o.text!r} ~ {o.match_source}: {o.match!r} (J={o.jaccard})" for o in copies)
