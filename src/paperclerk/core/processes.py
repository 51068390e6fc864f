"""Which processes of this machine are gone: lets leases, spool files and the like left by a killed process be
cleaned up at once instead of after a timeout.

A pid means something only in the pid namespace it was made in (containers sharing a host name or a volume have
their own), so what a process leaves behind names its pid *space* too; anything from another space is presumed
alive.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _pid_namespace() -> str:
    try:
        return format(os.stat("/proc/self/ns/pid").st_ino, "x")
    except OSError:
        return "0"


#: This machine's pid namespace, as a short token.
PID_NAMESPACE = _pid_namespace()
HOSTNAME = socket.gethostname()


def gone(pid: int, *, hostname: str = HOSTNAME, namespace: str = PID_NAMESPACE) -> bool:
    """Is process ``pid`` of (``hostname``, ``namespace``) known to have exited? False when it cannot be known."""
    if (hostname, namespace) != (HOSTNAME, PID_NAMESPACE) or pid <= 0:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"  # a zombie: killed, not yet reaped
