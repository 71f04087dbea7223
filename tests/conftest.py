import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.config import PROJECT_ROOT, Config

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def make_config(sources_dir, data_dir, **kw) -> Config:
    return Config(sources_dir=str(sources_dir), data_dir=str(data_dir), **kw)


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    """A writable copy of the tiny fixture corpus, to break in one test."""
    dest = tmp_path / "sources"
    shutil.copytree(FIXTURE_CORPUS, dest)
    return dest


@pytest.fixture
def config(corpus_dir, tmp_path) -> Config:
    return make_config(corpus_dir, tmp_path / "data")


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory):
    """The fixture corpus, built once: (config, BuildResult)."""
    from kg.build import build
    cfg = make_config(FIXTURE_CORPUS, tmp_path_factory.mktemp("fixture-data"))
    return cfg, build(cfg)


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory):
    """The real corpus of sources/, built once into a temporary data folder."""
    from kg.build import build
    cfg = make_config(PROJECT_ROOT / "sources", tmp_path_factory.mktemp("corpus-data"))
    return cfg, build(cfg)


@pytest.fixture(scope="session")
def corpus_store(built_corpus):
    from kg.store import open_store
    return open_store(built_corpus[0].data_dir)


@pytest.fixture(scope="session")
def app(built_corpus):
    """The web app over the bundled corpus (one worker pool for the whole session)."""
    from kg.web import create_app
    config = built_corpus[0]
    app = create_app(config.with_(query_timeout_s=10.0, threads=2))
    yield app
    app.extensions["kg_backend"].close()


@pytest.fixture
def client(app):
    return app.test_client()


WIKIDATA_FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"


@pytest.fixture
def standin():
    """A local stand-in for Wikidata's search API and SPARQL service (tests/fixtures/wikidata/)."""
    from tests.wikidata_standin import StandIn
    with StandIn(WIKIDATA_FIXTURES / "exchanges") as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_responds(url: str, timeout: float = 30.0) -> None:
    import requests
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1).close()
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not respond")


@contextmanager
def running_server(data_dir, **settings):
    """`kg serve` on a free loopback port over `data_dir`; settings become KG_* variables."""
    port = free_port()
    env = dict(os.environ, KG_DATA_DIR=str(data_dir), **{f"KG_{k.upper()}": str(v) for k, v in settings.items()})
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_responds(url + "/-/version")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)      # generous: a busy 2-core machine slows the workers' shutdown
        except subprocess.TimeoutExpired:
            proc.kill()                # leave nothing behind, and say so
            proc.wait()
            raise RuntimeError("kg serve did not stop within 30 s of SIGTERM") from None
