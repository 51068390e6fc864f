"""The offline quality score: what makes feedback useful scores higher, with reasons; sentiment and topics per
sentence; tiers map to reward percentages."""

from __future__ import annotations

from decimal import Decimal

from paperclerk.feedback.quality import DEFAULT_TIERS, Tier, analyse_sentences, combine, score_text, tier_for

USEFUL = ("The cinnamon bun was dry on Saturday morning and we waited 20 minutes at the counter because only "
          "one barista was working. You should put a second person on the till at weekends, and maybe bake the "
          "buns later in the morning. Anna at the checkout was friendly though.")


def test_specific_actionable_feedback_scores_high_with_reasons() -> None:
    result = score_text(USEFUL, ["pastries", "coffee"])
    assert result.score >= 70
    assert result.criteria["actionability"] == 1.0
    assert any("suggests" in reason for reason in result.reasons)
    assert any("staff" in reason for reason in result.reasons)
    assert any("number" in reason for reason in result.reasons)


def test_filler_scores_low() -> None:
    for text in ("Good", "good good good good good", "ok!!!", "Bra, tack."):
        result = score_text(text)
        assert result.score <= 15, text
        assert "too short to be useful" in result.reasons


def test_swedish_feedback_is_read() -> None:
    text = ("Kaffet var kallt och vi väntade 15 minuter i kön vid kassan. Ni borde ha fler i personalen på "
            "lördagar eftersom det blir rörigt. Kanelbullen var däremot jättegod.")
    result = score_text(text)
    assert result.score >= 55
    assert "wait_time" in result.topics
    assert result.sentences[0].label == "negative"


def test_abuse_lowers_constructiveness() -> None:
    polite = score_text("The staff were slow and the coffee was cold, you should hire more people.")
    rude = score_text("The staff were stupid idiots and the coffee was crap, you should hire more people.")
    assert rude.criteria["constructiveness"] < polite.criteria["constructiveness"]
    assert any("abusive" in reason for reason in rude.reasons)


def test_business_categories_count_as_relevance_and_topics() -> None:
    text = "The sourdough was excellent. The parking was hard to find."
    plain = score_text(text)
    own = score_text(text, ["sourdough", "parking"])
    assert own.criteria["relevance"] > plain.criteria["relevance"]
    assert {"sourdough", "parking"} <= set(own.topics)
    assert any("names your categories" in reason for reason in own.reasons)


def test_sentiment_per_sentence_with_negation() -> None:
    sentences = analyse_sentences("The coffee was not good. The staff were really friendly!")
    assert [s.label for s in sentences] == ["negative", "positive"]
    assert sentences[1].topics == ("service",)


def test_same_text_same_score() -> None:
    assert score_text(USEFUL) == score_text(USEFUL)


def test_tiers_and_combination() -> None:
    assert tier_for(95).name == "exceptional"
    assert tier_for(60).name == "very_good"
    assert tier_for(39).reward_percent == Decimal("0")
    custom = (Tier("gold", 50, Decimal("100")), Tier("none", 0, Decimal("0")))
    assert tier_for(50, custom).name == "gold"
    assert tier_for(49, custom).name == "none"
    assert DEFAULT_TIERS[0].name == "exceptional"
    assert combine(60, None) == 60
    assert combine(60, 80) == 70
    assert combine(60, 80, llm_weight=0.25) == 65
    assert combine(60, 500) == 80  # a model's out-of-range answer is clamped
