"""The Sumo Logic API client: `SumoClient` plus its errors; one module per resource family."""

from deployer.api.client import DEPLOYMENTS, ClientStats, SumoClient
from deployer.api.errors import (
    AmbiguousWriteError,
    ApiConnectionError,
    AuthenticationError,
    Conflict,
    JobFailed,
    JobTimeout,
    MissingCredentials,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    SumoApiError,
    ValidationFailed,
    WrongDeployment,
)

__all__ = [
    "DEPLOYMENTS", "AmbiguousWriteError", "ApiConnectionError", "AuthenticationError", "ClientStats", "Conflict",
    "JobFailed", "JobTimeout", "MissingCredentials", "NotFound", "PermissionDenied", "RateLimited", "ServerError",
    "SumoApiError", "SumoClient", "ValidationFailed", "WrongDeployment",
]
