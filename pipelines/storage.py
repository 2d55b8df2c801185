"""Object store for scans, page images and issued PDFs: a local folder or an S3-compatible bucket.

Keys are '/'-separated relative paths (`inbox/2024/a.tif`), the same in both backends, so a
step passes keys around and never paths.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from domain.errors import StorageError

if TYPE_CHECKING:
    from pipelines.settings import Settings

_TMP_SUFFIX = ".hocba-tmp"


def page_image_key(document_id: str, page: int) -> str:
    """Where extraction keeps a booklet's normalized page image (the review view reads it)."""
    return f"pages/{document_id}/{page}.jpg"


class ObjectStore(Protocol):
    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


def check_key(key: str) -> str:
    """Reject keys that could escape the store root or differ between backends."""
    parts = key.split("/")
    bad = (
        not key
        or key.startswith("/")
        or "\\" in key
        or "\x00" in key
        or key.endswith(_TMP_SUFFIX)
        or any(part in ("", ".", "..") for part in parts)
    )
    if bad:
        raise StorageError(
            f"invalid object key {key!r}",
            hint="use a relative '/'-separated path without '..', '.' or empty segments",
        )
    return key


class LocalStore:
    """A folder; writes are atomic (temp file in the same folder, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        # content_type has no place in a plain folder; S3 keeps it as object metadata.
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TMP_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(
                f"cannot write object {key!r}: {exc.strerror}",
                hint=f"check free space and permissions under {self.root}",
            ) from exc

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(
                f"object {key!r} not found", hint="check the key or re-run ingestion"
            ) from exc
        except OSError as exc:
            raise StorageError(f"cannot read object {key!r}: {exc.strerror}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        keys = []
        for dirpath, _dirs, files in os.walk(self.root):
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in files:
                if name.endswith(_TMP_SUFFIX):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        yield from sorted(keys)

    def delete(self, key: str) -> None:
        """Idempotent, like S3: deleting a missing key is not an error."""
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return self._path(key).as_uri()


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, moto) through boto3."""

    def __init__(
        self,
        bucket: str,
        endpoint: str | None = None,
        region: str = "us-east-1",
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        create_bucket: bool = False,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        config = Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path"},  # custom endpoints rarely have bucket DNS names
        )
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )
        self._region = region
        if create_bucket:
            self._ensure_bucket()

    def _ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _status(exc) != 404:
                raise _s3_error("cannot reach bucket", self.bucket, exc) from exc
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self._region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        self._call("create bucket", self.bucket, self._client.create_bucket, **kwargs)

    def _call(self, what: str, key: str, fn: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except ClientError as exc:
            if _status(exc) == 404 and what == "read":
                raise StorageError(
                    f"object {key!r} not found in bucket {self.bucket!r}",
                    hint="check the key or re-run ingestion",
                ) from exc
            raise _s3_error(what, key, exc) from exc
        except BotoCoreError as exc:
            raise _s3_error(what, key, exc) from exc

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self._call(
            "write",
            key,
            self._client.put_object,
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            **extra,
        )

    def get_bytes(self, key: str) -> bytes:
        obj = self._call(
            "read", key, self._client.get_object, Bucket=self.bucket, Key=check_key(key)
        )
        body: bytes = obj["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise _s3_error("check", key, exc) from exc
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise _s3_error("list", prefix, exc) from exc

    def delete(self, key: str) -> None:
        self._call(
            "delete", key, self._client.delete_object, Bucket=self.bucket, Key=check_key(key)
        )

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{check_key(key)}"


def _status(exc: Any) -> int:
    meta = getattr(exc, "response", {}).get("ResponseMetadata", {})
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    if code in ("NoSuchKey", "NoSuchBucket", "404", "NotFound"):
        return 404
    return int(meta.get("HTTPStatusCode", 0))


def _s3_error(what: str, key: str, exc: Exception) -> StorageError:
    return StorageError(
        f"object store refused to {what} {key!r}: {type(exc).__name__}",
        hint="check HOCBA_S3_ENDPOINT, HOCBA_S3_BUCKET and the AWS credentials",
    )


def open_store(settings: Settings, *, create_bucket: bool | None = None) -> ObjectStore:
    """S3 when HOCBA_S3_ENDPOINT is set, else a folder under state/objects.

    The bucket is created when missing only in development unless `create_bucket` says otherwise.
    """
    if settings.s3_endpoint is None:
        return LocalStore(settings.objects_dir)
    return S3Store(
        settings.s3_bucket,
        settings.s3_endpoint,
        settings.s3_region,
        access_key_id=settings.aws_access_key_id,
        secret_access_key=settings.aws_secret_access_key,
        create_bucket=settings.env == "development" if create_bucket is None else create_bucket,
    )
