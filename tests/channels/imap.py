"""A private Dovecot IMAP server for tests: its own configuration, users and maildir in a
temporary folder, listening on a free port of 127.0.0.1, logging to a file. The system's
dovecot service is neither needed nor touched.

As root, Dovecot refuses to run its login processes or mail sessions as root: they run as the
package's own ``dovenull`` / ``dovecot`` users, which own the maildir. As another user,
everything runs as that user."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.channels.smtp import free_port
from tests.conftest import unavailable

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "desk@example.test"
PASSWORD = "imap-test-password"

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = ledgerdesk-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%n
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
{extra}
"""


@dataclass
class ImapServer:
    port: int
    user: str
    password: str
    root: Path

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages into the mailbox as a mail server's delivery would (IMAP APPEND)."""
        client = self.client()
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            found = client.get_flags(client.search(["ALL"]))
            return {uid: tuple(flags) for uid, flags in found.items()}
        finally:
            client.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _identity() -> tuple[int, int, str]:
    """Mail uid/gid and the config lines naming the service users."""
    if os.geteuid() != 0:
        name, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        lines = (
            f"default_login_user = {name}\ndefault_internal_user = {name}\n"
            f"default_internal_group = {group}\n"
            f"service auth {{\n  user = {name}\n}}\nservice auth-worker {{\n  user = {name}\n}}"
        )
        return os.getuid(), os.getgid(), lines
    owner = pwd.getpwnam("dovecot")
    return owner.pw_uid, owner.pw_gid, ""


def start_dovecot(extra: str = "") -> tuple[subprocess.Popen[bytes], ImapServer]:
    """Start a private Dovecot; ``extra`` is appended to its configuration."""
    root = Path(tempfile.mkdtemp(prefix="ledgerdesk-dovecot-"))
    root.chmod(0o755)  # the login processes run as another user and must reach base_dir
    uid, gid, users = _identity()
    (root / "mail").mkdir()
    os.chown(root / "mail", uid, gid)
    port = free_port()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/mail::\n")
    config = root / "dovecot.conf"
    config.write_text(_CONFIG.format(root=root, port=port, users=users, extra=extra))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    server = ImapServer(port, USER, PASSWORD, root)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"dovecot exited: {errors}{server.log()}")
        try:
            server.client().logout()
            return process, server
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("dovecot did not answer within 10 s:\n" + server.log())


@pytest.fixture(scope="module")
def dovecot() -> Iterator[ImapServer]:
    if not os.path.exists(DOVECOT):
        unavailable("Dovecot IMAP server", f"{DOVECOT} missing; apt-get install dovecot-imapd")
    process, server = start_dovecot()
    yield server
    stop_dovecot(process, server)


def stop_dovecot(process: subprocess.Popen[bytes], server: ImapServer) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def dovecot_without_idle() -> Iterator[ImapServer]:
    """A Dovecot that does not offer IDLE: the poller has to poll."""
    if not os.path.exists(DOVECOT):
        unavailable("Dovecot IMAP server", f"{DOVECOT} missing; apt-get install dovecot-imapd")
    process, server = start_dovecot("imap_capability = IMAP4rev1 LITERAL+ UIDPLUS")
    yield server
    stop_dovecot(process, server)


@pytest.fixture
def mailbox(dovecot: ImapServer) -> ImapServer:
    """The test user's INBOX, emptied."""
    client = dovecot.client()
    try:
        client.select_folder("INBOX")
        uids = client.search(["ALL"])
        if uids:
            client.delete_messages(uids)
            client.expunge()
    finally:
        client.logout()
    return dovecot
