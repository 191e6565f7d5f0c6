"""`voucher-check serve`: the page on 127.0.0.1, served by waitress, with a private temporary
folder that is removed when the server stops.

waitress is a pure-Python WSGI server that runs the same on Windows as elsewhere (no C
extension, no fork); it reads a request's whole body before handing it on, so an oversized
upload is answered with the page's own message instead of a broken connection.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import webbrowser
from dataclasses import dataclass
from pathlib import Path

TEMP_PREFIX = "voucher-check-web-"
DEFAULT_PORT = 8765
IN_USE_MARK = "in-use"


class ServeError(Exception):
    """The server cannot start; the message says why, in Chinese."""


def _alive(pid: int, folder: Path) -> bool:
    if os.name == "nt":
        # A live server holds its marker file open, and Windows refuses to delete an open file.
        try:
            (folder / IN_USE_MARK).unlink(missing_ok=True)
        except OSError:
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_folders(base: Path | None = None) -> None:
    """Folders left by servers that were killed before they could remove their own."""
    base = Path(base or tempfile.gettempdir())
    for folder in base.glob(TEMP_PREFIX + "*"):
        pid_text = folder.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if not folder.is_dir() or not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text), folder):
            continue
        shutil.rmtree(folder, ignore_errors=True)


class PrivateFolder:
    """A temporary folder only this user can read (mkdtemp makes it 0700; on Windows it is in the
    user's own %TEMP%), removed by ``remove`` or at exit."""

    def __init__(self, base: Path | None = None):
        self.path = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=base)).resolve()
        self._mark = open(self.path / IN_USE_MARK, "w")   # noqa: SIM115 - held open while the server runs
        atexit.register(self.remove)

    def remove(self) -> None:
        if not self._mark.closed:
            self._mark.close()
        shutil.rmtree(self.path, ignore_errors=True)


@dataclass
class Running:
    url: str
    server: object                 # waitress server
    folder: PrivateFolder
    app: object

    def stop(self) -> None:
        self.server.close()
        runner = self.app.extensions["voucher_checker"]["runner"]
        runner.close()
        self.folder.remove()


def start(*, host: str = "127.0.0.1", port: int = DEFAULT_PORT, db=None, policy_path: str | None = None,
          max_upload_mb: int = 200, max_files: int = 500, jobs: int | None = None, temp_base=None) -> Running:
    """Bind the server (not yet serving: call ``server.run()``).  A busy default port falls back to
    any free one; a port asked for that is busy is an error."""
    from waitress import create_server

    from .app import Settings, create_app
    from .conclusions import ConclusionStore, StoreError

    if host.strip() in ("", "0.0.0.0", "::", "*"):
        # The Host check needs the one address the page is opened at.
        raise ServeError(f"--host 应写本机的一个具体地址（如 127.0.0.1 或本机在局域网中的地址），不能写“{host}”。")
    remove_stale_folders(temp_base)
    folder = PrivateFolder(temp_base)
    try:
        try:
            store = ConclusionStore(db)
        except StoreError as exc:
            raise ServeError(str(exc)) from None
        settings = Settings(root=folder.path, store=store, policy_path=policy_path,
                            max_upload_bytes=max_upload_mb * 1024 * 1024, max_files=max_files, jobs=jobs)
        app = create_app(settings)
        # waitress's own limit is above the page's, so the page's message is what the user sees.
        options = dict(host=host, threads=6, max_request_body_size=2 * settings.max_upload_bytes + 16 * 1024 * 1024,
                       ident="voucher-check", clear_untrusted_proxy_headers=True)
        try:
            server = create_server(app, port=port, **options)
        except OSError as exc:
            if port != DEFAULT_PORT:
                raise ServeError(f"无法在 {host}:{port} 上启动（{exc.strerror or exc}）；端口可能已被占用，"
                                 "请换一个 --port，或写 --port 0 自动选择。") from None
            server = create_server(app, port=0, **options)
        from .guard import allowed_hosts
        bound = server.effective_port
        settings.hosts = allowed_hosts(host, bound)
        shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
        url = f"http://{shown if ':' not in shown else f'[{shown}]'}:{bound}/"
    except BaseException:
        folder.remove()
        raise
    return Running(url, server, folder, app)


def serve(open_browser: bool = True, echo=print, **options) -> None:
    """Run until Ctrl+C; the temporary folder is removed however the server stops."""
    running = start(**options)
    try:
        echo(f"检查页面已启动：{running.url}")
        echo("在浏览器中打开上面的地址使用；关闭本窗口或按 Ctrl+C 停止（上传的文件随即删除）。")
        if open_browser:
            webbrowser.open(running.url)        # the socket is listening already: the request waits
        running.server.run()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        echo("检查页面已停止，上传的文件已删除。")
