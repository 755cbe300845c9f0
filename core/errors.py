"""Exceptions split by who must act."""


class ShopAssistError(Exception):
    """Base class of every error ShopAssist raises on purpose."""


class UserError(ShopAssistError):
    """A setup or input problem the user can fix; the message says what to do next."""


class NotReadyError(UserError):
    """A required artefact (catalog, model) does not exist yet."""


class BackendUnavailableError(ShopAssistError):
    """An external service (Chroma server, LLM server, database) did not answer."""
