"""Processes and files of the command line: stopping a batch, orphaned workers, file modes.

A batch of 200 copies of an example runs in a session of its own (so that its workers are
found by process group); it is stopped with SIGTERM (as a service manager or ``timeout``
stops it) or killed, and afterwards no process of the group may be alive and no half
output may be left.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
REF004 = INPUTS / "004_政务服务和公共资源交易中心_部门整体评价.xlsx"
COPIES = 200

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def perfxl_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from perfxl.cli import main; main()", *args]


def alive_in_group(pgid: int) -> list[int]:
    """Processes of the process group that are still running (zombies have ended)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until(check, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("many") / "in"
    src.mkdir()
    data = REF004.read_bytes()
    for i in range(COPIES):
        (src / f"{i:03d}.xlsx").write_bytes(data)
    return src


def start_batch(src: Path, dest: Path) -> subprocess.Popen[str]:
    """perfxl batch with two workers, in a new session; returns once workers are writing."""
    proc = subprocess.Popen(
        perfxl_cmd("batch", str(src), "-o", str(dest), "--jobs", "2", "--quiet"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    started = wait_until(lambda: len(list(dest.glob("*.xlsx"))) >= 4 or proc.poll() is not None, 60)
    assert started and proc.poll() is None, "the batch ended before it could be stopped"
    return proc


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if not re.fullmatch(r"\d{3}\.xlsx", p.name))


@pytest.mark.parametrize("target", ["parent", "group"])
def test_sigterm_stops_like_ctrl_c(folder: Path, tmp_path: Path, target: str) -> None:
    """SIGTERM to the parent (``timeout``, ``kill``) or to the whole group (a service manager)."""
    dest = tmp_path / "out"
    proc = start_batch(folder, dest)
    if target == "parent":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    m = re.fullmatch(
        rf"已中断：(\d+)/{COPIES} 个工作簿已处理，已写出的批注评分表都是完整的；其余未处理，未写出 汇总.xlsx",
        lines[0],
    )
    assert m, lines[0]
    assert wait_until(lambda: not alive_in_group(proc.pid), 5), alive_in_group(proc.pid)
    assert leftovers(dest) == []  # no temporary file, no 汇总.xlsx
    written = sorted(dest.glob("*.xlsx"))
    assert len(written) == int(m.group(1)) < COPIES
    for path in written:  # every output is a whole workbook
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None


def test_workers_end_when_the_batch_is_killed(folder: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    proc = start_batch(folder, dest)
    workers = [pid for pid in alive_in_group(proc.pid) if pid != proc.pid]
    assert workers, "no worker processes found"
    proc.kill()
    proc.communicate(timeout=30)
    assert wait_until(lambda: not alive_in_group(proc.pid), 5), alive_in_group(proc.pid)
    assert leftovers(dest) == []  # a worker killed mid-write removed its temporary file


# --- file modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    """Colleagues on a shared folder can open the outputs when the umask says so (mkstemp's 0600 would not)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "甲.xlsx").write_bytes(REF004.read_bytes())
    runs = [
        ("score", str(src / "甲.xlsx")),  # 甲_评分结果.xlsx beside the input
        ("batch", str(src), "-o", str(tmp_path / "batch"), "--jobs", "1"),
        ("survey", str(src / "甲.xlsx"), "-o", str(tmp_path / "问卷.xlsx")),
        ("template", "department", "-o", str(tmp_path / "模板.xlsx")),
    ]
    for args in runs:
        proc = subprocess.run(perfxl_cmd(*args), capture_output=True, text=True, umask=umask, timeout=120)
        assert proc.returncode == 0, proc.stderr
    outputs = [
        src / "甲_评分结果.xlsx",
        tmp_path / "batch" / "甲.xlsx",
        tmp_path / "batch" / "汇总.xlsx",
        tmp_path / "问卷.xlsx",
        tmp_path / "模板.xlsx",
    ]
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in outputs} == {
        p.name: oct(mode) for p in outputs
    }
