"""core/storage.py: random keys, streams and bytes, no way out of the storage directory."""

from __future__ import annotations

import io

import pytest

from preau.filestore import LocalStorage, StorageError, default_storage


def test_put_open_delete_bytes_and_streams(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.put(b"bonjour")
    other = storage.put(io.BytesIO(b"x" * 3_000_000))
    assert key != other
    with storage.open(key) as stream:
        assert stream.read() == b"bonjour"
    with storage.open(other) as stream:
        assert len(stream.read()) == 3_000_000
    storage.delete(key)
    with pytest.raises(StorageError):
        storage.open(key)
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "ab/../../x", "", "ab/" + "g" * 40])
def test_forged_keys_never_leave_the_directory(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).open(key)


def test_the_default_storage_lives_under_the_configured_directory(app, tmp_path):
    with app.app_context():
        saved = app.extensions.pop("preau.storage", None)
        app.config["STORAGE_DIR"] = str(tmp_path / "files")
        try:
            key = default_storage().put(b"data")
            assert (tmp_path / "files" / key).read_bytes() == b"data"
        finally:
            app.config.pop("STORAGE_DIR")
            app.extensions.pop("preau.storage", None)
            if saved is not None:
                app.extensions["preau.storage"] = saved
