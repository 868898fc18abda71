"""Crash safety: kill -9 an ingest at random moments, many times; the index always opens and holds,
for each file, either the version indexed before or the new one; a re-run finishes the work.
Two writers at once: the second waits for the first, with a message."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from rag.chunking import chunk_issue
from rag.index import Index, update_index
from rag.ingest import parse_bytes

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import sys, zlib
    from pathlib import Path
    import numpy as np
    sys.path.insert(0, {root!r})
    from rag.index import update_index
    from rag.ingest import parse_file

    class StableEncoder:  # same vectors in every process (str hash is salted per process)
        name, dim = "stable-chars", 32
        def _vec(self, t):
            v = np.zeros(self.dim, np.float32)
            for ch in t:
                v[zlib.crc32(ch.encode()) % self.dim] += 1.0
            return v / (np.linalg.norm(v) or 1.0)
        def encode_passages(self, texts, progress=None):
            return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        def encode_queries(self, texts):
            return np.stack([self._vec(t) for t in texts])

    root, folder = Path(sys.argv[1]), Path(sys.argv[2])
    enc = StableEncoder()
    print("started", flush=True)
    for f in sorted(folder.glob("*.txt")):
        update_index(root, [parse_file(f)], enc, progress=False)
        print("indexed", f.name, flush=True)
""")


def page(n: int, version: int) -> str:
    paras = "\n\n".join(f"第{k}段：第{n}版的第{version}次稿件，记录了{n * 100 + k}项工作和{version}个变化。" for k in range(1, 13))
    return f"HENGSHUIRIBAO\n\n2021年12月{n}日 星期五\n\n第{n}版要闻 第{version}稿\n\n本报讯(记者甲){paras}"


CONTENTS: dict[str, bytes] = {}  # content hash -> the bytes of that version


def write_versions(folder: Path, rng: random.Random, versions: dict[str, int], hashes: dict[str, set[str]]) -> None:
    """Give some files a new version (and record every version's content hash)."""
    for n in range(1, 7):
        name = f"hengshui-daily-2021-12-{n:02d}-A1.txt"
        if name not in versions or rng.random() < 0.4:
            versions[name] = versions.get(name, 0) + 1
            data = page(n, versions[name]).encode("utf-8")
            (folder / name).write_bytes(data)
            h = parse_bytes(data, name).issue.content_hash
            hashes.setdefault(name, set()).add(h)
            CONTENTS[h] = data


def check_index(root: Path, allowed: dict[str, set[str]]) -> dict[str, str]:
    """The index opens, every indexed file is a version that was on disk, and its parts agree."""
    if Index.current_generation(root) is None:
        return {}
    index = Index.open(root)
    try:
        state = {s["source_id"]: s["content_hash"] for s in index.issues()}
        for name, h in state.items():
            assert h in allowed[name], f"{name} holds a version that was never on disk"
        assert index.dense.size == index.size  # one vector per stored chunk
        # exactly the chunks of the versions it names: none left over from a replaced version
        assert index.size == sum(len(chunk_issue(parse_bytes(CONTENTS[h], n))) for n, h in state.items())
        for name in state:
            n = int(name.split("-")[4])
            hits = index.search_lexical(f"第{n}版", 3)
            assert hits, name
        return state
    finally:
        index.close()


def run_child(script: Path, root: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), str(root), str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_kill_minus_nine_at_random_moments_never_breaks_the_index(tmp_path):
    rng = random.Random(20211203)
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")
    root, folder = tmp_path / "index", tmp_path / "pages"
    folder.mkdir()
    versions: dict[str, int] = {}
    hashes: dict[str, set[str]] = {}
    write_versions(folder, rng, versions, hashes)

    # How long a full run takes here, so the kills spread over all of it (imports, parsing, writing).
    t0 = time.monotonic()
    proc = run_child(script, root, folder)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    full = time.monotonic() - t0
    check_index(root, hashes)

    kills, states = 0, []
    for _ in range(25):
        write_versions(folder, rng, versions, hashes)
        before = check_index(root, hashes)
        proc = run_child(script, root, folder)
        time.sleep(rng.uniform(0.0, full))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        after = check_index(root, hashes)
        for name in before:  # nothing indexed is lost: each file is still there, old or new
            assert name in after
        current = {n: parse_bytes((folder / n).read_bytes(), n).issue.content_hash for n in versions}
        states.append(sum(after[n] == current[n] for n in after))
    assert kills >= 10, f"only {kills} of 25 runs were killed; the run is too short for the delays"

    proc = run_child(script, root, folder)
    proc.communicate(timeout=300)
    assert proc.returncode == 0
    final = check_index(root, hashes)
    current = {n: parse_bytes((folder / n).read_bytes(), n).issue.content_hash for n in versions}
    assert final == current  # the re-run finished the work
    assert not list(root.glob(".gen-*.partial"))  # and cleaned what the kills left
    assert len(list(root.glob("gen-*"))) == 1
    print(f"\n{kills} kills; files already new after each kill: {states}; full run {full:.1f} s")


def test_a_second_writer_waits_for_the_first_and_says_so(tmp_path, fake_encoder):
    root = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from rag.index.lock import writer_lock
            with writer_lock({str(root)!r}):
                print("locked", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        heard: list[str] = []
        done = threading.Event()

        def ingest():
            update_index(root, [parse_bytes(page(3, 1).encode(), "a-2021-12-03-A1.txt")], fake_encoder,
                         on_wait=heard.append)
            done.set()

        t = threading.Thread(target=ingest)
        t.start()
        deadline = time.monotonic() + 30
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heard and f"pid {holder.pid}" in heard[0] and "waiting" in heard[0]
        assert not done.wait(1.0)  # still waiting while the other holds the lock
        holder.kill()  # even a killed holder releases the lock
        assert done.wait(30)
        t.join()
    finally:
        holder.kill()
        holder.wait()
    assert Index.open(root).size > 0
