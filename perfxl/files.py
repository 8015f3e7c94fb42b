"""Output files: written atomically, shared as the user's umask says, cleaned up when stopped.

Every file perfxl writes goes through a temporary file in the target folder that is then
renamed over the target, so a reader never sees half a file.  The temporary file is
created the way any program creates a new file (mode 0o666 minus the umask, plus the
folder's default ACLs), not private as :func:`tempfile.mkstemp` makes it, so that
colleagues on a shared folder can open the outputs.  Temporary files not yet renamed are
remembered, so that a worker whose batch has gone away can remove them before it exits.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

_PENDING: set[Path] = set()


def new_temp(folder: Path, prefix: str = ".perfxl-", suffix: str = ".tmp") -> Path:
    """Create an empty file with a fresh name in *folder*; OSError if the folder refuses."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = folder / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        _PENDING.add(path)
        return path
    raise FileExistsError(f"no free temporary name in {folder}")


def commit(tmp: Path, target: Path) -> None:
    """Rename the finished temporary file over *target*."""
    os.replace(tmp, target)
    _PENDING.discard(tmp)


def discard(tmp: Path) -> None:
    """Remove a temporary file (a failed or interrupted write)."""
    _PENDING.discard(tmp)
    tmp.unlink(missing_ok=True)


def discard_pending() -> None:
    """Remove every temporary file this process has not renamed yet."""
    for tmp in list(_PENDING):
        discard(tmp)


def umask() -> int:
    """The process's umask (read from /proc where it can be, without changing it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share(path: Path) -> None:
    """Give a file written privately (mkstemp) the mode a new file would have had."""
    os.chmod(path, 0o666 & ~umask())


_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "路径不存在",
    errno.EEXIST: "已有同名的文件",
    errno.ENOTDIR: "路径中有同名的文件",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "只读的文件系统",
    errno.EBUSY: "文件或设备正忙",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "磁盘读写错误",
    errno.ELOOP: "路径中的符号链接循环",
}


def reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese (the system's own text is English)."""
    return _REASONS.get(exc.errno or 0, f"系统错误，错误码 {exc.errno}")
