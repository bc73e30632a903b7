"""Settings that only the web chat needs, read from ASSISTANT_UI_* variables.

They live apart from `assistant.settings.Settings` because the assistant itself (CLI, evaluation)
has no use for them, and a CLI user should not see web options.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class UISettings(BaseSettings):
    """ASSISTANT_UI_AUTH, ASSISTANT_UI_CONCURRENCY, ASSISTANT_UI_UPLOADS, ASSISTANT_UI_UPLOAD_MAX_BYTES."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_UI_", extra="ignore", validate_assignment=True)

    auth: SecretStr | None = Field(None, description='"user:password" required to open the chat; unset = no login')
    concurrency: int = Field(4, ge=1, le=64, description="Questions answered at the same time (queue workers)")
    uploads: bool = Field(False, description="Let users add .txt/.md/.html/.pdf documents to the corpus")
    upload_max_bytes: int = Field(5_000_000, ge=1, le=200_000_000, description="Largest accepted upload")

    @field_validator("auth")
    @classmethod
    def _user_colon_password(cls, value: SecretStr | None) -> SecretStr | None:
        # Fail at start-up, not at the first login: a typo here would otherwise lock everyone out.
        if value is None or not value.get_secret_value():
            return None
        user, sep, password = value.get_secret_value().partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError('expected "user:password" (both non-empty)')
        return value

    def auth_pair(self) -> tuple[str, str] | None:
        """The (user, password) pair for `Blocks.launch(auth=...)`, or None for an open chat."""
        if self.auth is None:
            return None
        user, _, password = self.auth.get_secret_value().partition(":")
        return user.strip(), password
