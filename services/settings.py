"""Settings, built once at start-up and passed in (never read at import time).

Every name maps to an environment variable with the ``NEWSROOM_`` prefix (for example
``NEWSROOM_KAFKA_BOOTSTRAP``) and may also come from a ``.env`` file. The embedded stack
(`newsroom up`) and the production compose file use the same names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.language import DEFAULT_LANGUAGE, normalise_tag

ServiceName = Literal["ingest", "verify", "publish"]

DEFAULT_SECTIONS = (
    "world",
    "politics",
    "business",
    "science",
    "health",
    "sport",
    "culture",
    "local",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSROOM_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- where things are -------------------------------------------------------------
    # Unset, they point at the embedded broker and store on broker_port and store_port.
    kafka_bootstrap: str = ""
    mongo_url: str = ""
    # Prefixes keep several stacks (and every test) apart on one broker and one store.
    topic_prefix: str = ""
    db_prefix: str = "newsroom"
    topic_partitions: int = Field(default=4, ge=1)
    # Copies of each topic the services create (its DLQ too): 1 on one broker, 3 on a
    # cluster of three or more. Topics get min.insync.replicas one below it (at least 1),
    # so an acks=all write survives the loss of one broker and waits for another copy.
    # Like the partitions, fixed when a topic is first made (README "Deploy it").
    topic_replication_factor: int = Field(default=1, ge=1)
    # A DLQ holds the only copy of a refused message once its topic's own retention (the
    # broker's, 7 days by default) drops the original; nothing replays it by itself. 0
    # keeps DLQ records for good.
    dlq_retention_days: int = Field(default=90, ge=0)
    # kafka-python's idempotent producer. Off: the embedded broker (Tansu) forgets
    # producer ids on restart and hands them out again, and then acknowledges batches it
    # never stored (DEVELOPERS.md, "The embedded stack"). Apache Kafka keeps them; turn
    # it on there only once it has been tried against that cluster (README "Deploy it").
    kafka_idempotence: bool = False

    host: str = "127.0.0.1"
    ingest_port: int = 8001
    verify_port: int = 8002
    publish_port: int = 8003
    broker_port: int = 9092
    store_port: int = 27017
    # Internal base URLs: how one service calls another (publish asks verify for
    # snapshots). Empty means http://{host}:{port}.
    ingest_url: str = ""
    verify_url: str = ""
    publish_url: str = ""
    # Public base URLs: what people and downstream sites are given in links (status_url,
    # feed items, story pages, console links). Behind a proxy these differ from the
    # internal ones; empty means the internal URL.
    public_ingest_url: str = ""
    public_verify_url: str = ""
    public_publish_url: str = ""
    # Addresses (or networks, "10.0.0.0/8") whose X-Forwarded-Proto and X-Forwarded-For
    # the services believe: the gateway's, and nobody else's. Empty trusts nobody, so a
    # client cannot claim https or another address by sending the headers itself.
    forwarded_allow_ips: str = ""

    # Embedded stack: where `newsroom up` keeps data, logs and pid files.
    home: Path = Path(".newsroom")

    # --- behaviour --------------------------------------------------------------------
    sections: tuple[str, ...] = DEFAULT_SECTIONS
    # A story body's size in UTF-8 after NFC normalisation (the limits: DEVELOPERS.md).
    max_body_bytes: int = Field(default=200 * 1024, ge=1024, le=256 * 1024)
    # Claims one revision may have; detection beyond it is counted on the story
    # (``claims_over_limit``) for the reviewer, not stored as claims.
    max_claims_per_revision: int = Field(default=1000, ge=1, le=5000)
    # The request line and headers together, and how long they may take to arrive.
    max_header_bytes: int = Field(default=64 * 1024, ge=4096)
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    # How long a request's body may take to arrive once its headers have: the largest
    # request (body limit + 64 KiB) at 10 KB/s, a slow mobile link, takes under 30 s.
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    rate_limit_per_minute: int = Field(default=60, ge=1)
    lease_seconds: int = Field(default=600, ge=5)
    # How long a token's user name and role are cached; revocation is read every request.
    auth_cache_seconds: float = Field(default=5.0, ge=0)
    # Ingest re-sends a queued report that verify has not confirmed after this long.
    redeliver_after_seconds: float = Field(default=30.0, gt=0)
    relay_interval_seconds: float = Field(default=1.0, gt=0)
    # Publish re-reads verify's snapshots this often, to heal any event it missed.
    catchup_interval_seconds: float = Field(default=30.0, gt=0)
    # Verify counts the reviewers' queue for /metrics this often (a scrape reads the last
    # counts and their age, and never waits on the store).
    queue_metrics_seconds: float = Field(default=15.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_backoff_seconds: float = Field(default=2.0, gt=0)
    # Off by default: a webhook aimed at loopback or a private network would let anyone
    # who may subscribe make publish call inside it. Turn on for local development.
    webhook_allow_private_targets: bool = False
    feed_page_size: int = Field(default=50, ge=1, le=500)
    newsroom_name: str = "Newsroom"
    # The newsroom's language (a BCP 47 tag): its feeds' and pages' own, and a story's
    # when its report states none (nor did the story's earlier revision).
    default_language: str = DEFAULT_LANGUAGE

    # --- Kafka client timings (short in tests: a group's first join waits about this long)
    consumer_session_timeout_ms: int = 10_000
    consumer_heartbeat_ms: int = 2_000
    consumer_max_poll_interval_ms: int = 30_000
    # Records a loop takes per poll: small enough that a slow batch (verify runs
    # detection per report) finishes well inside the poll interval.
    consumer_max_poll_records: int = Field(default=50, ge=1)
    # Longest the broker may hold a fetch that found nothing (kafka-python's
    # fetch_max_wait_ms, 500 by default). Tansu answered such fetches late in the
    # pipeline: records reached verify's poll 130-155 ms after the producer's
    # acknowledgement, by phase; at 50, an idle consumer asks 20 times a second (at
    # least 10: at 0 an idle consumer would ask without pause).
    consumer_fetch_wait_ms: int = Field(default=50, ge=10, le=500)
    # Verify's consumer: detection processes (0: one per core), and poll batches under
    # way at once before it pauses its partitions (back-pressure).
    verify_detection_processes: int = Field(default=0, ge=0)
    consumer_max_in_flight_batches: int = Field(default=2, ge=1)
    # Retryable failures back off from this, doubling, up to 30 s.
    consumer_retry_backoff_seconds: float = 0.5
    # /readyz answers 503 when a consumer has had work and finished none of it, or an
    # outbox's sends have failed (or a due row has waited), for longer than this.
    readiness_stall_seconds: float = Field(default=60.0, gt=0)
    store_timeout_ms: int = 3_000

    # --- secrets ----------------------------------------------------------------------
    # Token publish uses to ask verify for snapshots (role "service"); `newsroom up`
    # creates one. Never committed: set it in the environment or .env.
    service_token: SecretStr | None = None
    # Key from which each webhook subscription's signing secret is derived (HMAC), so no
    # subscriber secret is ever stored. Must be set in production.
    webhook_master_key: SecretStr | None = None
    # Signs browser session cookies of the consoles.
    session_secret: SecretStr | None = None

    log_level: str = "INFO"
    # "auto": JSON when stdout is not a terminal, readable when it is.
    log_format: Literal["auto", "json", "console"] = "auto"

    @field_validator("default_language")
    @classmethod
    def _language_tag(cls, value: str) -> str:
        # The rule a report's language meets (services.language), checked at start-up.
        return normalise_tag(value)

    @model_validator(mode="after")
    def _embedded_addresses(self) -> Settings:
        # Changing an embedded port moves the address every part uses to reach it.
        if not self.kafka_bootstrap:
            self.kafka_bootstrap = f"127.0.0.1:{self.broker_port}"
        if not self.mongo_url:
            self.mongo_url = f"mongodb://127.0.0.1:{self.store_port}/"
        return self

    # ---------------------------------------------------------------------------------
    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def database(self, owner: str) -> str:
        return f"{self.db_prefix}_{owner}"

    def port_of(self, service: ServiceName) -> int:
        ports: dict[str, int] = {
            "ingest": self.ingest_port,
            "verify": self.verify_port,
            "publish": self.publish_port,
        }
        return ports[service]

    def url_of(self, service: ServiceName) -> str:
        urls = {"ingest": self.ingest_url, "verify": self.verify_url, "publish": self.publish_url}
        explicit = urls[service]
        if explicit:
            return explicit.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port_of(service)}"

    def public_url_of(self, service: ServiceName) -> str:
        """The base URL people and downstream sites reach ``service`` at."""
        urls = {
            "ingest": self.public_ingest_url,
            "verify": self.public_verify_url,
            "publish": self.public_publish_url,
        }
        explicit = urls[service]
        return explicit.rstrip("/") if explicit else self.url_of(service)
