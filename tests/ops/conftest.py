"""The scaled-out fixtures (PostgreSQL, Redis, S3, real processes) for the operations tests that need them."""

from tests.scaled.conftest import aws_credentials, celery_env, processes, s3_server  # noqa: F401
