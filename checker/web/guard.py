"""What keeps the page safe on a shared office computer: requests only from the page itself,
and files only inside the server's private temporary folder.

A web page from anywhere can make the browser send requests to 127.0.0.1; two checks stop it:

- **Host**: a request whose Host header is not the address the server listens on is refused.
  DNS rebinding points a foreign name at 127.0.0.1, and the browser then sends that name as Host.
- **Origin**: a request carrying an Origin that is not the page's own is refused, and a request
  that changes something (POST, PUT, DELETE) must carry the page's own Origin (browsers send one
  with every such request made by a page), so a form or script on another site cannot upload,
  scan or record a conclusion.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_NAME_CHARS = 120          # one folder or file name; Windows allows 255, its paths 260 in all
MAX_DEPTH = 12                # folders kept from an uploaded folder's relative path
# The relative path as a whole: under %TEMP% it must stay within Windows' 260 characters.
MAX_PATH_CHARS = 160
# Names Windows reserves for devices, with or without an extension.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_FORBIDDEN_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')


class PathRefused(ValueError):
    """A name that cannot be kept inside the upload folder."""


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host header values that name this server: its address, and the loopback names when it
    listens on loopback."""
    names = {host if ":" not in host or host.startswith("[") else f"[{host}]"}
    if host in ("127.0.0.1", "localhost", "::1"):
        names.update(LOOPBACK_NAMES)
    return frozenset(f"{name}:{port}".lower() for name in names)


def refusal(method: str, host: str | None, origin: str | None, allowed: frozenset[str]) -> str | None:
    """Why a request is refused (a Chinese sentence), or None when it may go on."""
    if not host or host.strip().lower() not in allowed:
        return (f"拒绝访问：请求的主机名“{host or '（空）'}”不是本机检查页面的地址。"
                "请在浏览器中打开 voucher-check serve 显示的地址。")
    if origin is not None and origin != "null" and not _own_origin(origin, allowed):
        return f"拒绝访问：来自其他网页（{origin}）的请求不被接受。"
    if method.upper() not in SAFE_METHODS and (origin is None or origin == "null"):
        return "拒绝访问：修改数据的请求必须来自本机检查页面。"
    return None


def _own_origin(origin: str, allowed: frozenset[str]) -> bool:
    scheme, _, rest = origin.strip().lower().partition("://")
    return scheme == "http" and rest in allowed


def clean_relative_path(name: str) -> PurePosixPath:
    """An uploaded file's relative path (``folder/sub/file.xlsx`` from a folder upload) as parts
    safe on every system: no absolute paths, drive letters, ``..``, device names or characters
    Windows forbids.  Chinese names are kept as they are, since units are named by them."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    parts = []
    for part in text.split("/"):
        part = _FORBIDDEN_CHARS.sub("_", part).strip().rstrip(".")
        if part in ("", ".", ".."):
            continue
        if _RESERVED.match(part):
            part = "_" + part
        if len(part) > MAX_NAME_CHARS:
            stem, dot, suffix = part.rpartition(".")
            part = (stem[:MAX_NAME_CHARS - len(suffix) - 1] + "." + suffix) if dot and len(suffix) < 10 else part[:MAX_NAME_CHARS]
        parts.append(part)
    if not parts:
        raise PathRefused(f"文件名“{name}”不可用")
    parts = parts[-MAX_DEPTH:]
    # Too long: the middle folders go first; the top folder (often the unit) and the name stay.
    while len(parts) > 2 and len("/".join(parts)) > MAX_PATH_CHARS:
        del parts[1]
    return PurePosixPath(*parts)


def inside(root: Path, relative) -> Path:
    """``root / relative``, refused unless it stays inside ``root`` once links are resolved."""
    root = Path(root).resolve()
    target = (root / Path(relative)).resolve()
    if target != root and not target.is_relative_to(root):
        raise PathRefused(f"路径“{relative}”不在上传文件夹内")
    return target
