"""Policy answers by clause: a question gets the one to three clauses of data/policies.yml that answer it (BM25 fused
with the query encoder's similarity), the section named; "the whole return policy" gets the whole section."""

from __future__ import annotations

import pytest

from assistant.generators.template import TemplateGenerator
from core.settings import DATA_DIR
from dialogue.plan import ReplyPlan
from dialogue.policies import PolicyBook, wants_whole_section
from dialogue.policy_clauses import Clause, clauses_of, split_sentences
from dialogue.reply_facts import PolicyFacts

#: (section, what a shopper asks, a phrase each expected clause contains: all of them must be among the answer's)
QUESTIONS = [
    ("returns", "can I return it if I opened it?", ["Opened beauty", "Condition: Unused"]),
    ("returns", "how long do i have to return something", ["within 30 days of delivery"]),
    ("returns", "when will i get my money back", ["within 5 business days"]),
    ("returns", "do i have to pay for return shipping", ["$50 or more; for smaller orders"]),
    ("returns", "can i exchange for a different size", ["Exchanges for a different size"]),
    ("returns", "can i return a mattress", ["100-night trial"]),
    ("returns", "are final sale items returnable", ["Final Sale"]),
    ("returns", "can i return a gift card", ["Gift cards and personalized"]),
    ("returns", "can i get store credit instead", ["store credit instead"]),
    ("returns", "how do i start a return", ["Start a return"]),
    ("returns", "where do i drop off the parcel", ["drop the parcel"]),
    ("returns", "my lipstick was opened can i send it back", ["Opened beauty"]),
    ("returns", "the box was damaged when it arrived, who pays the return postage", ["free when the item arrived damaged"]),
    ("shipping", "do you ship to canada", ["We ship to Canada"]),
    ("shipping", "how much is shipping", ["$5.99"]),
    ("shipping", "how long does delivery take", ["Standard shipping takes 3–5"]),
    ("shipping", "is there next day delivery", ["Next-day shipping"]),
    ("shipping", "can i change my delivery address", ["change the delivery address"]),
    ("shipping", "my parcel says delivered but its not here", ["shows as delivered"]),
    ("shipping", "do i pay customs duties", ["Import duties"]),
    ("shipping", "which carriers do you use", ["SwiftParcel, Northline"]),
    ("shipping", "how fast is expedited shipping", ["Expedited shipping takes 2"]),
    ("shipping", "how do i track my package", ["tracking number"]),
    ("cancellation", "can i cancel after it shipped", ["shipped order can no longer"]),
    ("cancellation", "will i be charged if i cancel", ["never charged"]),
    ("cancellation", "can i cancel just one item", ["single items"]),
    ("warranty", "how long is the warranty on a laptop", ["Electronics, computers"]),
    ("warranty", "is accidental damage covered", ["accidental damage"]),
    ("warranty", "how do i make a warranty claim", ["photo of the problem"]),
    ("warranty", "whats the warranty on a couch", ["Furniture has a 5-year"]),
    ("payment", "do you take paypal", ["PayPal"]),
    ("payment", "can i pay in installments", ["installments"]),
    ("payment", "when is my card charged", ["charged only when the order ships"]),
    ("payment", "can i pay cash on delivery", ["Cash on delivery"]),
    ("contact", "what is your phone number", ["1-800-555-0142"]),
    ("contact", "are you open on christmas", ["December 25"]),
    ("price_match", "do you price match amazon", ["identical item for less"]),
    ("price_match", "my item got cheaper after i bought it", ["our own price drops"]),
]
#: Questions BM25 alone (no encoder) still answers.
LEXICAL_ONLY = [q for q in QUESTIONS if q[1] in {
    "can i exchange for a different size", "can i return a mattress", "are final sale items returnable", "can i return a gift card",
    "do you ship to canada", "can i change my delivery address", "do i pay customs duties", "can i cancel just one item",
    "is accidental damage covered", "do you take paypal", "can i pay cash on delivery", "are you open on christmas",
}]


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return PolicyBook(DATA_DIR / "policies.yml")


def _assert_answers(answer_sentences: list[str], wanted: list[str], section_size: int) -> None:
    assert 1 <= len(answer_sentences) <= 3 < section_size
    for phrase in wanted:
        assert any(phrase in s for s in answer_sentences), f"{phrase!r} not in {answer_sentences}"


@pytest.mark.parametrize(("topic", "question", "wanted"), QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_a_question_gets_the_clauses_that_answer_it(book: PolicyBook, embedder, topic: str, question: str, wanted: list[str]) -> None:  # type: ignore[no-untyped-def]
    answer = book.answer_question(topic, question, embedder.embed_query)
    assert not answer.whole
    _assert_answers(answer.sentences, wanted, len(book.clauses(topic)))


@pytest.mark.parametrize(("topic", "question", "wanted"), LEXICAL_ONLY, ids=[q[1] for q in LEXICAL_ONLY])
def test_without_an_encoder_bm25_alone_answers(book: PolicyBook, topic: str, question: str, wanted: list[str]) -> None:
    _assert_answers(book.answer_question(topic, question).sentences, wanted, len(book.clauses(topic)))


def test_an_encoder_that_fails_leaves_bm25_to_decide(book: PolicyBook) -> None:
    def broken(text: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("no model here")

    assert book.answer_question("returns", "can i return a gift card", broken).sentences[0].startswith("Gift cards")


@pytest.mark.parametrize("text", ["tell me the whole return policy", "full shipping policy", "what's the entire returns policy",
                                  "can you give me the complete refund policy", "tell me everything about returns"])
def test_the_whole_section_when_asked_for(book: PolicyBook, text: str) -> None:
    topic = book.topic_for(text, "return_policy" if "return" in text or "refund" in text else "shipping_info")
    assert topic is not None and wants_whole_section(text)
    answer = book.answer_question(topic, text)
    assert answer.whole and answer.sentences == book.answer(topic).sentences and len(answer.sentences) > 10


@pytest.mark.parametrize("text", ["do i get a full refund", "is shipping free on the full order", "can i return it"])
def test_full_or_all_alone_is_not_the_whole_section(text: str) -> None:
    assert not wants_whole_section(text)


@pytest.mark.parametrize(("topic", "text"), [("returns", "what is your return policy?"), ("shipping", "shipping info pls"),
                                             ("returns", "returns?"), ("warranty", "tell me about the warranty")])
def test_a_question_naming_only_the_topic_gets_the_summary(book: PolicyBook, embedder, topic: str, text: str) -> None:  # type: ignore[no-untyped-def]
    answer = book.answer_question(topic, text, embedder.embed_query)
    assert not answer.whole and answer.sentences == [c.text for c in book.clauses(topic)[:3]]


def test_a_return_request_gets_the_summary_unless_its_words_point_at_a_clause(book: PolicyBook, embedder) -> None:  # type: ignore[no-untyped-def]
    plain = book.answer_question("returns", "I want to return the backpack from order ORD-10009", embedder.embed_query,
                                 limit=3, only_when_matched=True)
    assert plain.sentences[0].startswith("Most items can be returned within 30 days")
    broken = book.answer_question("returns", "return order ORD-10009, the blender arrived broken", embedder.embed_query,
                                  limit=2, only_when_matched=True)
    assert any("arrived damaged" in s for s in broken.sentences) and len(broken.sentences) <= 2


def test_sections_split_into_clauses_as_written(book: PolicyBook) -> None:
    assert split_sentences("Call 9 a.m.–8 p.m. Eastern. We reply by 10 a.m. Eastern time.") == [
        "Call 9 a.m.–8 p.m. Eastern.", "We reply by 10 a.m. Eastern time."]
    clauses = clauses_of({"title": "T", "name": "n", "window": "30 days", "steps": ["One. Two.", "Three."], "summary": "Short."})
    assert clauses == [Clause("window", "Window: 30 days"), Clause("steps", "One."), Clause("steps", "Two."),
                       Clause("steps", "Three."), Clause("summary", "Short.")]
    contact = book.answer("contact")
    assert contact.name == "customer care details" and book.name("returns") == "returns policy"
    assert any(s.startswith("Phone: 1-800-555-0142, 9 a.m.–8 p.m. Eastern") for s in contact.sentences)


def _render(facts: PolicyFacts) -> str:
    return TemplateGenerator().generate(ReplyPlan(action="policy_answer", facts=facts))


def test_replies_name_the_section_and_the_whole_section_keeps_its_title(book: PolicyBook, embedder) -> None:  # type: ignore[no-untyped-def]
    answer = book.answer_question("returns", "can I return it if I opened it?", embedder.embed_query)
    reply = _render(PolicyFacts(known=True, topic="returns", title=answer.title, sentences=answer.sentences, section=answer.name))
    assert reply.startswith("From our returns policy: ") and "Opened beauty products" in reply and "Final Sale" not in reply
    assert len(reply.split()) < 60
    whole = book.answer("returns")
    reply = _render(PolicyFacts(known=True, topic="returns", title=whole.title, sentences=whole.sentences, section=whole.name, whole=True))
    assert reply.startswith("Returns and refunds: ") and "Window: 30 days from the delivery date. Condition:" in reply
    # a plan stored before clauses existed (no section) still reads as before
    assert _render(PolicyFacts(known=True, topic="returns", title="Returns", sentences=["30 days."])) == "Returns: 30 days."


@pytest.mark.parametrize(("text", "intent", "topic"), [
    ("is there a warranty on laptops", "return_policy", "warranty"),  # the section it names, not the intent's
    ("can i return it if it arrived broken", "return_policy", "returns"),  # the intent's own section, named too
    ("can i pay cash on delivery", "checkout", "payment"),  # the longest phrase decides: not shipping's "delivery"
    ("do you price match amazon", "refine", "price_match"),
    ("r u open on christmas", "out_of_scope", "contact"),
    ("what is your return policy?", "return_policy", "returns"),
])
def test_the_section_a_question_is_about(book: PolicyBook, text: str, intent: str, topic: str) -> None:
    assert book.topic_for(text, intent) == topic


def test_refund_timing_is_not_confused_by_send_back(book: PolicyBook, embedder) -> None:  # type: ignore[no-untyped-def]
    answer = book.answer_question("returns", "when will i get my money back if i return it", embedder.embed_query)
    assert any("within 5 business days" in s for s in answer.sentences) and not any("sent back" in s for s in answer.sentences)
