import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "redteam: the red-team corpus, executed (about 90 s per mode; -m 'not redteam' skips)",
    )
