"""The one settings object: every knob has a default that works offline (env prefix PAPERCLERK_)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from paperclerk.ops.secret_files import SecretFilesSource

#: A comma-separated list in the environment.
Csv = Annotated[list[str], NoDecode]
PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERCLERK_", env_file=None, extra="ignore")

    #: ``production`` refuses to start without a real secret key; anything else is a development setup.
    env: str = "development"
    #: The SQLite file, local blobs and scratch space live here.
    data_dir: Path = Path("./data")
    #: SQLAlchemy URL; empty means a SQLite file under data_dir.
    database_url: str = ""
    #: Celery broker (redis://…); empty means in-process workers fed from the database.
    broker_url: str = ""
    #: ``s3://bucket[/prefix]``; empty means a content-addressed directory under data_dir.
    storage_url: str = ""
    #: S3-compatible endpoint (MinIO, say); empty means AWS.
    s3_endpoint_url: str = ""
    #: Region of the S3 bucket.
    s3_region: str = "us-east-1"

    #: Address ``paperclerk serve`` listens on (0.0.0.0 in a container).
    host: str = "127.0.0.1"
    #: Port ``paperclerk serve`` listens on.
    port: int = 8000
    #: DEBUG, INFO, WARNING or ERROR.
    log_level: str = "INFO"
    #: Logs as JSON lines (true) or plain text (false).
    log_json: bool = True

    #: Request body limit; larger uploads get 413 before being read (the TLS proxy allows a little more).
    max_upload_mb: int = Field(default=50, ge=1)
    #: Worker threads inside ``paperclerk serve`` for quick jobs.
    workers: int = Field(default=2, ge=0)
    #: Worker threads inside ``paperclerk serve`` for OCR jobs.
    ocr_workers: int = Field(default=1, ge=0)
    #: A running job renews its lease; a job whose lease ran out belongs to a dead worker.
    job_lease_seconds: float = Field(default=30.0, gt=0)
    #: Attempts, with exponential back-off, for transient failures.
    job_max_attempts: int = Field(default=3, ge=1)
    #: The first retry waits this long; each further one twice as long.
    job_retry_base_seconds: float = Field(default=5.0, ge=0)
    #: Per-job time limit (Celery).
    job_time_limit_seconds: int = Field(default=300, ge=1)
    #: A queued job whose message the broker has not confirmed (a failed send, a server killed between commit and
    #: send) is sent again after this long; the stale-job sweep runs twice as often.
    job_resend_unsent_seconds: float = Field(default=10.0, gt=0)
    #: A stored file that no document refers to (its upload died before the row committed) is deleted once it is
    #: this old.
    blob_orphan_grace_seconds: float = Field(default=86_400.0, gt=0)
    #: How often servers and workers look for such files.
    blob_sweep_interval_seconds: float = Field(default=6 * 3600.0, gt=0)
    #: Each worker process writes a heartbeat this often; one silent for three periods is reported dead.
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    #: Redis visibility timeout for unacknowledged Celery messages (redelivery after a crash).
    broker_visibility_timeout: int = Field(default=3600, ge=1)

    #: How long a SQLite writer waits for the write lock.
    sqlite_busy_timeout_ms: int = 10_000
    #: A request waits this long for a free database connection, then answers 503 DATABASE_BUSY with Retry-After.
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    #: Health checks and /metrics give the database this long (statement and lock timeout) before reporting it
    #: stalled; they never wait for the request pool.
    health_database_timeout_seconds: float = Field(default=2.0, gt=0)

    # Limits on untrusted content.
    #: Documents with more pages fail FILE_TOO_COMPLEX.
    max_pages: int = Field(default=2000, ge=1)
    #: Images with more pixels fail FILE_TOO_COMPLEX (decompression bombs).
    max_image_pixels: int = Field(default=100_000_000, ge=1)
    #: Page images shown to people (evidence views) are scaled down to at most this many pixels; rendered in the
    #: sandbox and cached under <data_dir>/cache/pages.
    page_image_max_pixels: int = Field(default=4_000_000, ge=10_000)
    #: Archives (DOCX, e-mail attachments) that unpack to more than this many times their size fail.
    max_archive_ratio: int = Field(default=200, ge=1)
    #: Archives that unpack to more than this fail.
    max_unpacked_mb: int = Field(default=500, ge=1)
    #: Resolution scans are rendered at for OCR.
    ocr_dpi: int = Field(default=200, ge=72, le=600)
    #: auto: tesseract when its language models are installed (scripts/ensure-ocr.sh; faster and more accurate as
    #: measured), else RapidOCR (pip-only, the models are inside the wheel).
    ocr_engine: Literal["auto", "rapidocr", "tesseract"] = "auto"
    #: Files are read in child processes that are killed past these limits (the document fails FILE_TOO_COMPLEX)
    #: or when they crash (PARSER_CRASHED); false reads them in-process.
    parse_in_subprocess: bool = True
    #: Time limit of one file's reading process.
    parse_time_limit_seconds: float = Field(default=120.0, gt=0)
    #: Memory limit of one file's reading process; it leaves room for the OCR model (~1 GB at peak).
    parse_memory_limit_mb: int = Field(default=2048, ge=64)
    #: Modules imported where files are read, before the first one: extractor plugins register themselves there.
    parse_extractor_modules: Csv = Field(default_factory=list)
    #: Product lines beyond the built-in ones: their ``plugin`` modules (see ``paperclerk.plugins``).
    extra_lines: Csv = Field(default_factory=list)

    # Identity and hardening. The signing key: PAPERCLERK_SECRET_KEY_FILE (a Docker/Kubernetes secret) wins
    # over PAPERCLERK_SECRET_KEY; see paperclerk.auth.settings.
    #: Signs tokens, sessions and CSRF tokens; empty means one generated into the data dir (not in production).
    secret_key: SecretStr = SecretStr("")
    #: A file holding the secret key (a Docker or Kubernetes secret); wins over PAPERCLERK_SECRET_KEY.
    secret_key_file: Path | None = None
    #: Lifetime of an access token from the login API.
    access_token_minutes: int = Field(default=60, ge=1)
    #: Lifetime of a refresh token (it rotates on every use).
    refresh_token_days: int = Field(default=7, ge=1)
    #: Lifetime of a web session.
    session_hours: int = Field(default=12, ge=1)
    #: Failed logins before an account is locked.
    lockout_attempts: int = Field(default=5, ge=1)
    #: How long a locked account (or source IP) stays locked.
    lockout_minutes: int = Field(default=15, ge=1)
    #: Failed logins before a source IP is locked; empty means the same as PAPERCLERK_LOCKOUT_ATTEMPTS.
    ip_lockout_attempts: int | None = Field(default=None, ge=1)
    #: Requests per window per client IP, all requests.
    rate_limit_per_minute: int = Field(default=100, ge=1)
    #: Logins per window per client IP.
    login_rate_limit_per_minute: int = Field(default=10, ge=1)
    #: Uploads per window per client IP.
    upload_rate_limit_per_minute: int = Field(default=30, ge=1)
    #: The rate limits' window.
    rate_limit_window_seconds: float = Field(default=60.0, gt=0)
    #: false turns the rate limits off.
    rate_limit_enabled: bool = True
    #: Shared rate-limit counters; empty means the broker when it is Redis, else in-process counters.
    redis_url: str = ""
    #: Origins allowed to call the API from a browser; empty means CORS is closed.
    cors_origins: Csv = Field(default_factory=list)
    #: Proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: Csv = Field(default_factory=list)
    #: Argon2 password hashing: iterations.
    password_time_cost: int = Field(default=3, ge=1)
    #: Argon2 password hashing: memory per hash.
    password_memory_kib: int = Field(default=65536, ge=8)
    #: Argon2 password hashing: lanes.
    password_parallelism: int = Field(default=4, ge=1)

    # AI providers (paperclerk.ai). Offline by default: embeddings from the model inside the installed package,
    # no chat model. Any OpenAI-compatible server (OpenAI, Azure OpenAI, Gemini, Ollama, vLLM, llama.cpp) works.
    #: Base URL of an OpenAI-compatible chat endpoint (``…/v1``); empty means no language model.
    llm_url: str = ""
    #: The chat model's name at that endpoint.
    llm_model: str = ""
    #: Bearer key for the chat endpoint (``PAPERCLERK_LLM_API_KEY_FILE`` may name a file holding it).
    llm_api_key: SecretStr = SecretStr("")
    #: Base URL of an OpenAI-compatible embeddings endpoint; empty means the offline model shipped with paperclerk.
    embedding_url: str = ""
    #: The embedding model's name at that endpoint.
    embedding_model: str = ""
    #: Bearer key for the embeddings endpoint (``PAPERCLERK_EMBEDDING_API_KEY_FILE`` may name a file holding it).
    embedding_api_key: SecretStr = SecretStr("")
    #: Time limit of one request to a model endpoint.
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    #: Further attempts after a failed request (connection error, timeout, 429, 5xx), with exponential back-off.
    llm_retries: int = Field(default=3, ge=0)
    #: The first retry waits this long; each further one twice as long.
    llm_retry_base_seconds: float = Field(default=1.0, ge=0)
    #: Tokens each organisation may spend on remote models per calendar month (UTC); 0 means no limit.
    ai_monthly_token_budget: int = Field(default=0, ge=0)
    #: Also read invoices with the configured language model (``PAPERCLERK_LLM_URL``), beside the layout reader; a
    #: value it proposes is kept only where it is printed in the document. Off: invoices are read offline.
    invoice_llm_extractor: bool = False
    #: Largest document of a judgment request's case file, in MB (a larger upload gets 413 before it is read).
    judgment_max_file_mb: int = Field(default=10, ge=1)
    #: Judgments each process keeps in memory (least recently served dropped first).
    judgment_cache_size: int = Field(default=100, ge=1)
    #: Seconds a judgment stays in a process's memory.
    judgment_cache_memory_seconds: float = Field(default=300, gt=0)
    #: Seconds a judgment stays in Redis (shared by every process; needs PAPERCLERK_REDIS_URL or a Redis broker).
    judgment_cache_redis_seconds: int = Field(default=3600, ge=1)

    # Operations.
    #: ``paperclerk serve`` applies pending migrations before it starts; turn off where a migration job runs them
    #: before a rollout (Kubernetes), so that old and new pods never race to migrate.
    migrate_on_start: bool = True
    #: Where ``paperclerk backup create`` writes without ``--to``: a directory or ``s3://bucket[/prefix]``; empty
    #: means ``<data dir>/backups``.
    backup_target: str = ""
    #: Encrypts backups (AES-256-GCM; the key is derived from this passphrase with scrypt); empty means backups are
    #: written unencrypted. Keep it outside the backups: without it they cannot be restored.
    backup_encryption_key: SecretStr = SecretStr("")
    #: ``paperclerk backup prune`` keeps the newest backup of each of the last N days that have one.
    backup_keep_daily: int = Field(default=30, ge=0)
    #: … and of each of the last N weeks that have one.
    backup_keep_weekly: int = Field(default=0, ge=0)
    #: … and of each of the last N months that have one.
    backup_keep_monthly: int = Field(default=0, ge=0)
    #: S3-compatible endpoint of an ``s3://`` backup target; empty means ``PAPERCLERK_S3_ENDPOINT_URL``.
    backup_s3_endpoint_url: str = ""
    #: PEM certificates whose expiry ``/metrics`` reports (the TLS proxy's), comma-separated.
    tls_certificate_files: Csv = Field(default_factory=list)
    #: Sentry DSN: unexpected errors are reported there when set (needs the ``observability`` extra).
    sentry_dsn: SecretStr = SecretStr("")
    #: Legal e-billing: an external bar-admission database attorneys are verified against (GET with
    #: ``bar_number``, ``jurisdiction`` and ``name``); empty means the offline register imported from bar rolls.
    legal_verification_url: str = ""
    #: … its API key, sent as ``Authorization: Bearer``.
    legal_verification_key: SecretStr = SecretStr("")
    #: … seconds to wait for its answer before the review goes on without it.
    legal_verification_timeout: float = Field(default=5.0, gt=0, le=60)
    #: Days a verification answer is reused before the provider is asked again.
    legal_verification_max_age_days: int = Field(default=30, ge=0)

    # Feedback line: POS transaction import and reward payouts (paperclerk.feedback.pos, .payments). Each business's
    # own POS credentials are stored with the business; these are the platform's endpoints and accounts.
    #: Seconds to wait for a POS system's or payout provider's answer.
    feedback_vendor_timeout_seconds: float = Field(default=20.0, gt=0)
    #: Further attempts after a connection error, a 5xx or a 429 answer from a POS system or payout provider.
    feedback_vendor_retries: int = Field(default=3, ge=0)
    #: The first retry waits this long; each further one twice as long (a 429's Retry-After wins).
    feedback_vendor_retry_base_seconds: float = Field(default=1.0, ge=0)
    #: A 429 asking to wait longer than this fails at once (VENDOR_RATE_LIMITED) instead of holding the worker.
    feedback_vendor_max_retry_after_seconds: float = Field(default=60.0, ge=0)
    #: Square's API (Payments API ``/v2/payments``); ``https://connect.squareupsandbox.com`` for the sandbox.
    feedback_square_url: str = "https://connect.squareup.com"
    #: The ``Square-Version`` the payments are read with.
    feedback_square_version: str = "2025-01-23"
    #: Zettle's OAuth server (``/token``, the API-key assertion grant).
    feedback_zettle_oauth_url: str = "https://oauth.zettle.com"
    #: Zettle's Purchase API (``/purchases/v2``).
    feedback_zettle_purchase_url: str = "https://purchase.izettle.com"
    #: The client id of paperclerk's Zettle app; each business gives its own API key.
    feedback_zettle_client_id: str = ""
    #: A shop's Admin API address; ``{shop}`` is the shop's name (``https://{shop}.myshopify.com``).
    feedback_shopify_url: str = "https://{shop}.myshopify.com"
    #: The Shopify Admin API version orders are read with.
    feedback_shopify_version: str = "2025-01"
    #: Stripe's API (Connect accounts, account links, transfers).
    feedback_stripe_url: str = "https://api.stripe.com"
    #: The platform's Stripe secret key (``sk_…``); empty means rewards are paid out by manual CSV only.
    feedback_stripe_secret_key: SecretStr = SecretStr("")
    #: The signing secret (``whsec_…``) of the Stripe webhook endpoint that reports transfers and payouts.
    feedback_stripe_webhook_secret: SecretStr = SecretStr("")
    #: A Stripe webhook whose signature time is further than this from now is refused (replayed or delayed).
    feedback_stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)
    #: The file the manual payout provider keeps its payouts in (a CSV); empty means
    #: ``<data dir>/feedback/manual-payouts.csv``.
    feedback_manual_payouts_file: str = ""

    #: Where people open paperclerk (``https://paperclerk.example.com``): the start of links in notification e-mails.
    public_url: str = "http://127.0.0.1:8000"
    #: SMTP server for notification e-mails; empty means no e-mail is sent (the in-app list and webhooks still work).
    smtp_host: str = ""
    #: SMTP port: 587 with STARTTLS, 465 with TLS, 25 for a relay.
    smtp_port: int = Field(default=587, ge=1, le=65535)
    #: ``starttls``, ``tls`` (TLS from the first byte) or ``none`` (a relay on a network you trust).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    #: SMTP user name; empty means the server takes mail without logging in.
    smtp_username: str = ""
    #: SMTP password.
    smtp_password: SecretStr = SecretStr("")
    #: The sender of notification e-mails.
    smtp_from: str = "paperclerk@localhost"
    #: Seconds to wait for the SMTP server.
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    #: Attempts per notification e-mail or webhook call, with exponential back-off between them.
    delivery_max_attempts: int = Field(default=6, ge=1)
    #: The first retry of a failed delivery waits this long; each further one twice as long.
    delivery_retry_base_seconds: float = Field(default=30.0, ge=0)
    #: Seconds to wait for a webhook receiver's answer.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    #: A webhook whose deliveries failed this many times in a row (each after all its attempts) is turned off.
    webhook_disable_after_failures: int = Field(default=5, ge=1)
    #: Let webhooks call loopback, private and link-local addresses (a receiver on your own network).
    webhook_allow_private_networks: bool = False

    #: Feedback: the languages spoken feedback is read in (ISO 639-1); the detected language is chosen among them.
    feedback_languages: Csv = Field(default_factory=lambda: ["sv", "en"])
    #: Feedback: CPU threads the speech model uses per recording.
    feedback_speech_threads: int = Field(default=2, ge=1)
    #: Feedback: beam width of the speech model's search (1 is fastest, 5 a little more accurate).
    feedback_speech_beam_size: int = Field(default=1, ge=1, le=10)
    #: Feedback: the longest recording accepted, in seconds.
    feedback_max_audio_seconds: float = Field(default=120.0, gt=0)
    #: Feedback: the largest recording accepted, in bytes.
    feedback_max_audio_bytes: int = Field(default=10_000_000, ge=1)
    #: Feedback: the longest typed feedback accepted, in characters.
    feedback_max_text_chars: int = Field(default=5000, ge=1)
    #: Feedback: requests one client may make to the customer pages per window, on top of the global limits.
    feedback_customer_rate_limit: int = Field(default=1000, ge=1)
    #: Feedback: the customer pages' rate-limit window in seconds (15 minutes).
    feedback_customer_rate_window_seconds: float = Field(default=900.0, gt=0)
    #: Feedback: hours a voice recording is kept after it was transcribed.
    voice_data_retention_hours: float = Field(default=24.0, ge=0)
    #: Feedback: days feedback and customers' personal data are kept; ledger entries are kept but pseudonymised.
    data_retention_days: int = Field(default=730, ge=1)
    #: Feedback: the slug of the organisation whose admins run the platform (the admin dashboard); empty means none.
    feedback_operator_organization: str = ""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # PAPERCLERK_<NAME>_FILE (a mounted secret) wins over PAPERCLERK_<NAME>.
        return (init_settings, SecretFilesSource(settings_cls, "PAPERCLERK_"), env_settings, dotenv_settings,
                file_secret_settings)

    @field_validator("cors_origins", "trusted_proxies", "parse_extractor_modules", "extra_lines",
                     "tls_certificate_files", "feedback_languages", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # raises ValueError with the bad entry
        return value

    @property
    def is_production(self) -> bool:
        return self.env.strip().lower() == PRODUCTION

    @property
    def resolved_redis_url(self) -> str:
        if self.redis_url:
            return self.redis_url
        if self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return ""

    @property
    def effective_ip_lockout_attempts(self) -> int:
        return self.ip_lockout_attempts or self.lockout_attempts

    @property
    def trusted_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'paperclerk.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()
