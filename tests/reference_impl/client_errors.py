"""Reading the error out of what a test caught: a botocore ``ClientError`` (a call through boto3)
or the model's ``AwsError`` (a call on the Python interface)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reference_impl.errors import AwsError


def code(excinfo: pytest.ExceptionInfo[Any]) -> str:
    error = excinfo.value
    return error.code if isinstance(error, AwsError) else error.response["Error"]["Code"]


def message(excinfo: pytest.ExceptionInfo[Any]) -> str:
    error = excinfo.value
    return error.message if isinstance(error, AwsError) else error.response["Error"]["Message"]


def error(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    """(code, message)."""
    return code(excinfo), message(excinfo)


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int]:
    """Call through boto3, expecting a refusal: its (code, HTTP status)."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]
